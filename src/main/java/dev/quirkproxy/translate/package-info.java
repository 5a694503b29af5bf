/** Protocol translation: POP3 clients served from an IMAP mailbox (RFC 1939 over RFC 9051). */
package dev.quirkproxy.translate;
