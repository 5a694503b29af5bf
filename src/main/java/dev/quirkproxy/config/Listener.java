package dev.quirkproxy.config;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.session.Limits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One listener, resolved: every default filled in, every path resolved. Two listeners with equal
 * values behave the same, which is how a reload tells an unchanged listener from a changed one.
 *
 * @param name unique in its file
 * @param listen where clients connect, with the client-side TLS mode
 * @param upstream where sessions are relayed to
 * @param tls certificates and trust
 * @param rules the rule file or directory, or null for none
 * @param captures how sessions are recorded, or null when they are not
 * @param client the catalog family forced on every client, or null
 * @param limits per-session bounds
 * @param connectTimeout how long to wait for the upstream's TCP connection
 * @param translate the translation settings, or null
 */
public record Listener(
    String name,
    Endpoint listen,
    Endpoint upstream,
    ListenerTls tls,
    Path rules,
    CaptureSettings captures,
    String client,
    Limits limits,
    Duration connectTimeout,
    TranslateSpec translate) {}
