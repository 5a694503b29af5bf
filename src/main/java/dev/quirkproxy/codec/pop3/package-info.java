/**
 * POP3 framing (RFC 1939, 2449, 5034): command lines, status lines and streamed dot-terminated
 * bodies.
 */
package dev.quirkproxy.codec.pop3;
