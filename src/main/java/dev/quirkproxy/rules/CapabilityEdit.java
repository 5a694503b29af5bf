package dev.quirkproxy.rules;

import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Adds and removes capabilities wherever a server announces them: IMAP {@code * CAPABILITY}
 * responses and {@code [CAPABILITY …]} response codes (greeting, LOGIN/AUTHENTICATE answers), and
 * the lines of a POP3 CAPA answer (RFC 2449). Names compare case-insensitively; a POP3 capability
 * is removed by its keyword ({@code STLS}, {@code SASL}, {@code PIPELINING}).
 */
final class CapabilityEdit {

  private static final Pattern UNTAGGED =
      Pattern.compile("^(\\* (?i:CAPABILITY))((?: [^\\r\\n]*)?)(\\r?\\n?)$");
  private static final Pattern CODE = Pattern.compile("\\[(?i:CAPABILITY)((?: [^\\]]*)?)\\]");

  private final List<String> add;
  private final Set<String> remove;

  CapabilityEdit(List<String> add, List<String> remove) {
    this.add = List.copyOf(add);
    this.remove = remove.stream().map(r -> r.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /** The frame text with the edit applied where capabilities are listed. */
  String apply(String text, Protocol protocol, String answering) {
    if (protocol == Protocol.POP3) {
      return answering.equals("CAPA") && text.startsWith("+OK") ? pop3(text) : text;
    }
    StringBuilder out = new StringBuilder();
    for (String line : text.split("(?<=\n)")) {
      Matcher m = UNTAGGED.matcher(line);
      if (m.matches()) {
        out.append(m.group(1)).append(edit(m.group(2))).append(m.group(3));
        continue;
      }
      Matcher c = CODE.matcher(line);
      StringBuilder sb = new StringBuilder();
      while (c.find()) {
        c.appendReplacement(sb, Matcher.quoteReplacement("[CAPABILITY" + edit(c.group(1)) + "]"));
      }
      c.appendTail(sb);
      out.append(sb);
    }
    return out.toString();
  }

  /** {@code " IMAP4rev1 IDLE"} edited, with its leading space. */
  private String edit(String list) {
    List<String> caps = new ArrayList<>();
    for (String cap : list.trim().split(" +")) {
      if (!cap.isEmpty() && !remove.contains(cap.toUpperCase(Locale.ROOT))) {
        caps.add(cap);
      }
    }
    for (String a : add) {
      if (caps.stream().noneMatch(c -> c.equalsIgnoreCase(a))) {
        caps.add(a);
      }
    }
    return caps.isEmpty() ? "" : " " + String.join(" ", caps);
  }

  private String pop3(String text) {
    String[] lines = text.split("(?<=\n)");
    StringBuilder out = new StringBuilder(lines[0]);
    List<String> present = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      String bare = FrameImage.stripEol(line);
      if (bare.equals(".")) {
        for (String a : add) {
          if (present.stream().noneMatch(p -> p.equalsIgnoreCase(a))) {
            out.append(a).append("\r\n");
          }
        }
        out.append(line);
        continue;
      }
      String keyword = bare.split(" ", 2)[0].toUpperCase(Locale.ROOT);
      if (remove.contains(keyword) || remove.contains(bare.toUpperCase(Locale.ROOT))) {
        continue;
      }
      present.add(bare);
      out.append(line);
    }
    return out.toString();
  }
}
