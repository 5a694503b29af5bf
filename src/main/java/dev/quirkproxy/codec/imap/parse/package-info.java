/** IMAP parser (RFC 9051, 3501, 7162, 2971): a structured, byte-exact view of a whole frame. */
package dev.quirkproxy.codec.imap.parse;
