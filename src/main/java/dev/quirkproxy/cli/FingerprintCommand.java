package dev.quirkproxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.fingerprint.CatalogEntry;
import dev.quirkproxy.fingerprint.CatalogException;
import dev.quirkproxy.fingerprint.Evidence;
import dev.quirkproxy.fingerprint.Fingerprint;
import dev.quirkproxy.fingerprint.Fingerprinter;
import dev.quirkproxy.fingerprint.TranscriptReader;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quirkproxy fingerprint}: which client is talking in captures and C:/S: transcripts. */
@Command(
    name = "fingerprint",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Identify the mail client in quirkproxy captures (.jsonl) and in plain transcripts"
            + " (lines starting 'C: ' and 'S: ').",
    footer = {
      "",
      "Examples:",
      "  quirkproxy fingerprint captures/2026-11-26/s000042.jsonl",
      "  quirkproxy fingerprint --json --catalog my-clients.json session.txt"
    })
final class FingerprintCommand implements Callable<Integer> {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Captures or transcripts.")
  List<Path> files;

  @Option(names = "--json", description = "Print JSON for machines.")
  boolean json;

  @Option(
      names = "--catalog",
      paramLabel = "FILE",
      description =
          "Extra catalog file; its entries extend or replace the built-in ones by family."
              + " Repeatable.")
  List<Path> catalogs = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (Path c : catalogs) {
      if (!Files.isReadable(c)) {
        err.println("quirkproxy: cannot read catalog " + c);
        return ExitCodes.FAILURE;
      }
    }
    Catalog catalog;
    try {
      catalog = Catalog.load(catalogs);
    } catch (CatalogException e) {
      throw new UsageException(e.getMessage());
    }
    int code = ExitCodes.OK;
    ArrayNode all = JSON.createArrayNode();
    for (Path f : files) {
      Fingerprinter fp;
      try {
        fp = read(f, catalog);
      } catch (IOException | RuntimeException e) {
        err.println("quirkproxy: cannot read " + f + ": " + Main.message(e));
        code = ExitCodes.FAILURE;
        continue;
      }
      Fingerprint result = fp.fingerprint();
      if (json) {
        all.add(toJson(f, fp.protocol(), result, catalog));
      } else {
        print(out, f, fp.protocol(), result, catalog);
      }
    }
    if (json) {
      out.println(JSON.writeValueAsString(all));
    }
    return code;
  }

  static Fingerprinter read(Path f, Catalog catalog) throws IOException {
    byte[] head = new byte[64];
    int n;
    try (var in = Files.newInputStream(f)) {
      n = in.readNBytes(head, 0, head.length);
    }
    String start = new String(head, 0, n, StandardCharsets.UTF_8);
    if (f.toString().endsWith(".jsonl") || start.startsWith("{")) {
      return capture(f, catalog);
    }
    return TranscriptReader.read(catalog, Files.readAllLines(f, StandardCharsets.UTF_8));
  }

  private static Fingerprinter capture(Path f, Catalog catalog) throws IOException {
    CaptureReader.Capture c = CaptureReader.read(f);
    if (c.header() == null) {
      throw new IOException(String.join("; ", c.problems()));
    }
    String proto = c.header().path("protocol").asText();
    Fingerprinter fp =
        new Fingerprinter(catalog, proto.equalsIgnoreCase("pop3") ? Protocol.POP3 : Protocol.IMAP);
    for (ObjectNode e : c.events()) {
      if (!e.path("type").asText().equals("frame") || !e.path("kind").asText().equals("line")) {
        continue;
      }
      String dir = e.path("dir").asText();
      String line = stripEol(new String(c.data(e), StandardCharsets.ISO_8859_1));
      // "start" is only written when true: a line without it continues a frame (the rest of a
      // command after a literal), not a new command. The live proxy feeds the same lines.
      boolean start = e.path("start").asBoolean();
      if (dir.equals(Direction.CLIENT_TO_PROXY.code()) && start) {
        fp.clientFrame(line);
      } else if (dir.equals(Direction.UPSTREAM_TO_PROXY.code()) && start) {
        fp.server(line);
      }
    }
    return fp;
  }

  private static String stripEol(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String label(Catalog catalog, String family) {
    CatalogEntry e = catalog.entry(family);
    return e == null || e.label() == null ? family : e.label();
  }

  private static void print(
      PrintWriter out, Path f, Protocol protocol, Fingerprint r, Catalog catalog) {
    out.println(f);
    out.printf(
        Locale.ROOT,
        "  client:      %s (%s)%n  version:     %s%n  confidence:  %.2f%n  protocol:    %s%n",
        r.family(),
        label(catalog, r.family()),
        r.version() == null ? "-" : r.version(),
        r.confidence(),
        protocol == null ? "-" : protocol.name().toLowerCase(Locale.ROOT));
    if (!r.alsoPossible().isEmpty()) {
      out.println("  also possible: " + String.join(", ", r.alsoPossible()));
    }
    out.println("  evidence:");
    for (Evidence e : r.evidence()) {
      String w = e.weight() == 0 ? "" : String.format(Locale.ROOT, " (%+.2f)", e.weight());
      out.println("    [" + e.kind() + "] " + e.detail() + w);
    }
  }

  private static ObjectNode toJson(Path f, Protocol protocol, Fingerprint r, Catalog catalog) {
    ObjectNode o = JSON.createObjectNode();
    o.put("file", f.toString());
    o.put("protocol", protocol == null ? null : protocol.name().toLowerCase(Locale.ROOT));
    o.put("family", r.family());
    o.put("label", label(catalog, r.family()));
    o.put("version", r.version());
    o.put("confidence", r.confidence());
    ArrayNode also = o.putArray("alsoPossible");
    r.alsoPossible().forEach(also::add);
    ArrayNode ev = o.putArray("evidence");
    for (Evidence e : r.evidence()) {
      ev.addObject().put("kind", e.kind()).put("detail", e.detail()).put("weight", e.weight());
    }
    return o;
  }
}
