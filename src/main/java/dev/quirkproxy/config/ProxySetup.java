package dev.quirkproxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A config file, resolved: its listeners and the process-wide settings.
 *
 * @param file the file as the user named it
 * @param listeners in file order
 * @param catalogs extra fingerprint catalogs
 * @param shutdownGrace how long open sessions get to end on SIGINT/SIGTERM
 */
public record ProxySetup(
    Path file, List<Listener> listeners, List<Path> catalogs, Duration shutdownGrace) {

  public ProxySetup {
    listeners = List.copyOf(listeners);
    catalogs = List.copyOf(catalogs);
  }
}
