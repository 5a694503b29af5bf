/**
 * Protocol state per connection, fed by the relay: IMAP state and pending tags, POP3 pending queue,
 * limits.
 */
package dev.quirkproxy.session;
