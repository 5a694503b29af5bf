package dev.quirkproxy.config;

/**
 * A size in octets, written in the file as a number or as {@code 64KiB}, {@code 16M}, … (see {@link
 * Units#size}).
 */
public record Size(long bytes) {}
