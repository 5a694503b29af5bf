/** IMAP framing (RFC 9051, 3501, 7888, 3516): lines and streamed literals, both directions. */
package dev.quirkproxy.codec.imap;
