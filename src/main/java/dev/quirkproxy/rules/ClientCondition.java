package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.session.ClientIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The {@code client} condition: the session's identity (family, version, confidence, forced). */
final class ClientCondition {

  private ClientCondition() {}

  static dev.quirkproxy.rules.Matcher client(Params when) throws RuleException {
    JsonNode v = when.json().get("client");
    if (v.isTextual()) {
      String family = v.asText();
      return f -> {
        ClientIdentity id = f.session().identity();
        return id.family().equals(family)
            ? null
            : Conditions.why(f, () -> "client is " + id + ", not " + family);
      };
    }
    Params p = when.object("client");
    p.allow("family", "familyRegex", "version", "versionRegex", "minConfidence", "forced");
    List<Predicate<ClientIdentity>> tests = new ArrayList<>();
    List<String> wants = new ArrayList<>();
    if (p.has("family")) {
      Set<String> families = Set.copyOf(p.strings("family"));
      tests.add(id -> families.contains(id.family()));
      wants.add("family " + String.join("|", families));
    }
    if (p.has("familyRegex")) {
      Pattern re = p.regex("familyRegex");
      tests.add(id -> re.matcher(id.family()).matches());
      wants.add("family ~ /" + re + "/");
    }
    if (p.has("version")) {
      VersionRange range;
      try {
        range = VersionRange.parse(p.string("version"));
      } catch (IllegalArgumentException e) {
        throw p.error(p.json().get("version"), e.getMessage());
      }
      tests.add(id -> range.contains(id.version()));
      wants.add("version " + range);
    }
    if (p.has("versionRegex")) {
      Pattern re = p.regex("versionRegex");
      tests.add(id -> id.version() != null && re.matcher(id.version()).matches());
      wants.add("version ~ /" + re + "/");
    }
    if (p.has("minConfidence")) {
      double min = p.number("minConfidence", 0, 1);
      tests.add(id -> id.confidence() >= min);
      wants.add("confidence >= " + min);
    }
    if (p.has("forced")) {
      boolean forced = p.bool("forced", false);
      tests.add(id -> id.forced() == forced);
      wants.add(forced ? "forced" : "not forced");
    }
    String want = String.join(", ", wants);
    return f -> {
      ClientIdentity id = f.session().identity();
      for (Predicate<ClientIdentity> t : tests) {
        if (!t.test(id)) {
          return Conditions.why(f, () -> "client is " + id + "; the rule wants " + want);
        }
      }
      return null;
    };
  }
}
