/** Bytes to frame parts: what every framer shares (parts, literals, line finding, limit errors). */
package dev.quirkproxy.codec;
