package dev.quirkproxy.fingerprint;

/**
 * One observed fact and what it did for the answer.
 *
 * @param kind what kind of fact: {@code id}, {@code tag}, {@code verbs}, {@code order}, {@code
 *     fetch}, {@code feature}, {@code catalog}
 * @param detail the fact in words
 * @param weight what it added to the chosen family's score (0 for a plain observation)
 */
public record Evidence(String kind, String detail, double weight) {}
