package dev.quirkproxy.capture;

/**
 * The capture file format: JSON Lines, one object per line, each with a {@code type}. Version 1: a
 * {@code header}, then {@code frame} events (and {@code outcome} events where the proxy did not
 * forward a received part unchanged), then a {@code footer}. Later versions add event types
 * (fingerprint, rule hits); readers migrate older versions step by step ({@link CaptureReader}).
 * The JSON Schema is {@code capture.schema.json} in the jar and in {@code docs/}.
 */
public final class CaptureFormat {

  public static final String NAME = "quirkproxy-capture";
  public static final int VERSION = 1;

  private CaptureFormat() {}
}
