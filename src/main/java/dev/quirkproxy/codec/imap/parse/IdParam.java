package dev.quirkproxy.codec.imap.parse;

/**
 * One field/value pair of RFC 2971 {@code id-params-list}; {@code value} is null for NIL.
 *
 * @param field the field name, as sent
 * @param value the value, or null
 */
public record IdParam(String field, String value) {}
