/** Netty listeners and per-session relays: sockets, pipelines, backpressure, timeouts, shutdown. */
package dev.quirkproxy.relay;
