package dev.quirkproxy.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic, realistic wire inputs shared by the benchmarks. */
final class Inputs {

  /** What one socket read hands the pipeline in the framer benchmarks. */
  static final int READ_SIZE = 16 * 1024;

  private Inputs() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A MIME message of about {@code size} octets (headers, then base64 body lines of 76 characters,
   * CRLF line ends) from a fixed-seed PRNG, cut to exactly {@code size} octets and ending in CRLF.
   */
  static byte[] message(int size, long seed) {
    StringBuilder b = new StringBuilder(size + 128);
    b.append("Return-Path: <alice@example.org>\r\n")
        .append("Received: from mx.example.org (mx.example.org [192.0.2.10])\r\n")
        .append("\tby imap.example.com with ESMTPS id 4b7c2a; Mon, 3 Mar 2025 10:15:02 +0000\r\n")
        .append("Message-ID: <20250303101502.4b7c2a@example.org>\r\n")
        .append("Date: Mon, 3 Mar 2025 10:15:00 +0000\r\n")
        .append("From: Alice Example <alice@example.org>\r\n")
        .append("To: Bob Example <bob@example.com>\r\n")
        .append("Subject: Quarterly report (draft ")
        .append(seed)
        .append(")\r\n")
        .append("MIME-Version: 1.0\r\n")
        .append("Content-Type: application/pdf; name=\"report.pdf\"\r\n")
        .append("Content-Transfer-Encoding: base64\r\n\r\n");
    Random rnd = new Random(seed);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while (b.length() < size) {
      for (int i = 0; i < 76; i++) {
        b.append(alphabet.charAt(rnd.nextInt(64)));
      }
      b.append("\r\n");
    }
    b.setLength(size - 2);
    b.append("\r\n");
    return ascii(b.toString());
  }

  /** {@code n} copies of the given pieces, concatenated. */
  static byte[] repeat(int n, byte[]... pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      for (byte[] p : pieces) {
        out.writeBytes(p);
      }
    }
    return out.toByteArray();
  }
}
