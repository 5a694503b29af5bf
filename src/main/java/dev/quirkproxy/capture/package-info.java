/**
 * Recording sessions to versioned, redacted JSON Lines captures off the event loop, and reading
 * them back.
 */
package dev.quirkproxy.capture;
