package dev.quirkproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.capture.ImapTestExport;
import dev.quirkproxy.capture.MptExport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quirkproxy captures}: list, show, export and verify recorded sessions. */
@Command(
    name = "captures",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "List, show, export and verify recorded sessions.",
    subcommands = {
      CapturesCommand.ListCommand.class,
      CapturesCommand.ShowCommand.class,
      CapturesCommand.ExportCommand.class,
      CapturesCommand.VerifyCommand.class
    })
final class CapturesCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say list, show, export or verify");
  }

  static List<Path> all(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir, 2)) {
      return walk.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  /** A capture by file path, file name, or any part of it such as the session id. */
  static Path resolve(Path dir, String idOrFile) throws IOException {
    Path direct = Path.of(idOrFile);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    List<Path> matches =
        all(dir).stream().filter(p -> p.getFileName().toString().contains(idOrFile)).toList();
    if (matches.isEmpty()) {
      throw new UsageException("no capture matches '" + idOrFile + "' in " + dir);
    }
    if (matches.size() > 1) {
      throw new UsageException(
          "'" + idOrFile + "' matches " + matches.size() + " captures; be more precise");
    }
    return matches.get(0);
  }

  /** Which capture: a path, a file name, or any part of one such as the session id. */
  static final class Selection {
    @Option(
        names = "--dir",
        defaultValue = "captures",
        description = "Capture directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Parameters(paramLabel = "ID|FILE")
    String capture;

    Capture read() throws IOException {
      return CaptureReader.read(resolve(dir, capture));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "One line per capture, oldest first.",
      footer = {"", "Example:", "  quirkproxy captures list --protocol imap"})
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        defaultValue = "captures",
        description = "Capture directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--protocol", description = "Only imap or pop3.")
    String protocol;

    @Option(names = "--client", description = "Only sessions whose client address contains this.")
    String client;

    @Option(
        names = "--family",
        description = "Only sessions whose client was identified as (or forced to) this family.")
    String family;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "%-24s %-5s %-22s %-28s %8s %12s %9s  %s%n",
          "started (UTC)",
          "proto",
          "client",
          "identified as",
          "commands",
          "bytes",
          "seconds",
          "capture");
      for (Path p : all(dir)) {
        Capture c = CaptureReader.read(p);
        if (c.header() == null) {
          continue;
        }
        String proto = c.header().path("protocol").asText();
        String addr = c.header().path("client").asText();
        JsonNode who = identified(c);
        if ((protocol != null && !protocol.equalsIgnoreCase(proto))
            || (client != null && !addr.contains(client))
            || (family != null && !family.equalsIgnoreCase(who.path("family").asText()))) {
          continue;
        }
        long commands =
            c.events().stream()
                .filter(
                    e ->
                        e.path("dir").asText().equals(Direction.CLIENT_TO_PROXY.code())
                            && e.path("start").asBoolean()
                            && e.path("kind").asText().equals("line"))
                .count();
        long bytes = 0;
        String seconds = "-";
        if (c.footer() != null) {
          for (JsonNode n : c.footer().path("bytes")) {
            bytes += n.asLong();
          }
          Duration d =
              Duration.between(
                  Instant.parse(c.header().path("start").asText()),
                  Instant.parse(c.footer().path("end").asText()));
          seconds = String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
        }
        String start = c.header().path("start").asText();
        out.printf(
            Locale.ROOT,
            "%-24s %-5s %-22s %-28s %8d %12d %9s  %s%s%n",
            start.substring(0, Math.min(23, start.length())),
            proto,
            addr.replace("/", ""),
            Transcript.identity(who),
            commands,
            bytes,
            seconds,
            dir.relativize(p),
            c.complete() ? "" : "  (incomplete)");
      }
      return ExitCodes.OK;
    }
  }

  /**
   * Who the client was: the forced identity, else the footer's fingerprint, else the last
   * fingerprint event (a capture cut short has no footer); a missing node when none.
   */
  static JsonNode identified(Capture c) {
    JsonNode footer = c.footer();
    if (footer != null && footer.has("forcedClient")) {
      ObjectNode forced = JsonNodeFactory.instance.objectNode();
      forced.put("family", footer.path("forcedClient").asText());
      forced.put("forced", true);
      return forced;
    }
    if (footer != null && footer.has("fingerprint")) {
      return footer.path("fingerprint");
    }
    JsonNode last = JsonNodeFactory.instance.missingNode();
    for (ObjectNode e : c.events()) {
      if (e.path("type").asText().equals("fingerprint")) {
        last = e;
      }
    }
    return last;
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "A C:/S: transcript of a capture. C: client, S: server, C> / S> what the proxy sent instead",
        "(a rewrite or its own answer), ! what it did not forward."
      },
      footer = {
        "",
        "Examples:",
        "  quirkproxy captures show s000042",
        "  quirkproxy captures show captures/2026-11-26/143012.123-imap-52344-s000042.jsonl"
      })
  static final class ShowCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin Selection selection;

    @Option(
        names = "--full",
        description = "Print large literals and bodies too (default: a size note).")
    boolean full;

    @Option(
        names = "--numbers",
        description = "Start each frame with its event number (for rules explain --frame).")
    boolean numbers;

    @Option(
        names = "--color",
        negatable = true,
        description = "Colour the transcript (default: on a terminal).")
    Boolean color;

    @Override
    public Integer call() throws IOException {
      Capture c = selection.read();
      if (c.header() == null) {
        c.problems().forEach(p -> spec.commandLine().getErr().println("quirkproxy: " + p));
        return ExitCodes.FAILURE;
      }
      boolean colour = color != null ? color : System.console() != null;
      spec.commandLine().getOut().print(Transcript.of(c, full, colour, numbers));
      c.problems().forEach(p -> spec.commandLine().getErr().println("quirkproxy: " + p));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write a capture as a transcript, as one JSON document (blob data inlined as base64),",
        "as the exact bytes the client or the server sent, or (IMAP only) as a test script for",
        "Dovecot ImapTest (imaptest) or Apache James MPT (mpt)."
      },
      footer = {
        "",
        "Examples:",
        "  quirkproxy captures export s000042 --format transcript --output s42.txt",
        "  quirkproxy captures export s000042 --format server-bytes --output server.bin",
        "  quirkproxy captures export s000042 --format imaptest --output s42.imaptest",
        "  quirkproxy captures export s000042 --format mpt --output S42.test"
      })
  static final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin Selection selection;

    @Option(
        names = "--format",
        defaultValue = "transcript",
        description =
            "transcript, json, client-bytes, server-bytes, imaptest or mpt"
                + " (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = "--output",
        paramLabel = "FILE",
        description = "Write here instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
      Capture c = selection.read();
      byte[] bytes =
          switch (format.toLowerCase(Locale.ROOT)) {
            case "transcript" -> Transcript.of(c, true, false).getBytes(StandardCharsets.UTF_8);
            case "json" -> json(c);
            case "client-bytes" -> c.bytes(Direction.CLIENT_TO_PROXY);
            case "server-bytes" -> c.bytes(Direction.UPSTREAM_TO_PROXY);
            case "imaptest" -> script(c, "imaptest").getBytes(StandardCharsets.UTF_8);
            case "mpt" -> script(c, "mpt").getBytes(StandardCharsets.UTF_8);
            default ->
                throw new UsageException(
                    "--format must be transcript, json, client-bytes, server-bytes, imaptest or mpt");
          };
      if (output != null) {
        Files.write(output, bytes);
      } else if (!format.toLowerCase(Locale.ROOT).endsWith("bytes")) {
        spec.commandLine().getOut().print(new String(bytes, StandardCharsets.UTF_8));
      } else {
        spec.commandLine().getOut().flush();
        OutputStream out = System.out;
        out.write(bytes);
        out.flush();
      }
      return ExitCodes.OK;
    }

    /** A test script; a capture of another protocol than IMAP is a usage error. */
    private static String script(Capture c, String format) throws IOException {
      String protocol = c.header() == null ? "unknown" : c.header().path("protocol").asText();
      if (!protocol.equals("imap")) {
        throw new UsageException(
            "--format "
                + format
                + " writes IMAP test scripts; "
                + c.file()
                + " is a "
                + protocol
                + " capture");
      }
      return format.equals("mpt") ? MptExport.of(c) : ImapTestExport.of(c);
    }

    private static byte[] json(Capture c) throws IOException {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode doc = mapper.createObjectNode();
      doc.set("header", c.header());
      ArrayNode events = doc.putArray("events");
      for (ObjectNode e : c.events()) {
        ObjectNode copy = e.deepCopy();
        if (copy.has("blob")) {
          copy.remove("blob");
          copy.put("base64", Base64.getEncoder().encodeToString(c.data(e)));
        }
        events.add(copy);
      }
      doc.set("footer", c.footer());
      ArrayNode problems = doc.putArray("problems");
      c.problems().forEach(problems::add);
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Check captures: format, version, complete lines, sequence, footer. Exit 1 on a problem.",
      footer = {"", "Example:", "  quirkproxy captures verify captures/2026-11-26/*.jsonl"})
  static final class VerifyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--skip-blobs",
        description =
            "Check only the JSON Lines, not that blob references resolve (blobs moved away).")
    boolean skipBlobs;

    @Parameters(paramLabel = "FILE", arity = "1..*")
    List<Path> files = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      boolean ok = true;
      for (Path f : files) {
        Capture c;
        try {
          c = CaptureReader.read(f);
        } catch (IOException e) {
          ok = false;
          out.println(f + ": cannot be read: " + dev.quirkproxy.capture.CaptureStore.why(e));
          continue;
        }
        List<String> blobProblems = skipBlobs ? List.of() : blobProblems(c);
        if (!blobProblems.isEmpty()) {
          ok = false;
          blobProblems.forEach(p -> out.println(f + ": " + p));
          continue;
        }
        if (c.complete()) {
          out.println(
              f
                  + ": ok, "
                  + c.events().size()
                  + " events, footer: "
                  + c.footer().path("reason").asText());
        } else {
          ok = false;
          for (String p : c.problems()) {
            out.println(f + ": " + p);
          }
        }
      }
      return ok ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** Every blob reference must point into this capture's blob file. */
    private static List<String> blobProblems(Capture c) {
      List<String> problems = new ArrayList<>();
      for (JsonNode e : c.events()) {
        if (e.has("blob")) {
          try {
            c.data(e);
          } catch (IOException x) {
            problems.add(x.getMessage());
          }
        }
      }
      return problems;
    }
  }
}
