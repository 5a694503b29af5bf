package dev.quirkproxy.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (set by the build), with the Java runtime it runs on. */
final class VersionProvider implements IVersionProvider {

  static String version() {
    String v = VersionProvider.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"quirkproxy " + version(), "Java " + System.getProperty("java.version")};
  }
}
