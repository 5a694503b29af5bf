package dev.quirkproxy.fingerprint;

import dev.quirkproxy.codec.imap.parse.IdParam;
import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Matches observations against the catalog. A matching ID is worth {@value #ID_WEIGHT}; a tag style
 * the family never uses rules it out (unless its ID matched); features add their weights. Families
 * within {@value #MARGIN} of the best are named as also possible, and each one divides the
 * confidence.
 */
final class Scorer {

  static final double ID_WEIGHT = 10;
  static final double ID_MISMATCH = -4;
  static final double MARGIN = 0.75;

  private Scorer() {}

  private record Candidate(
      Catalog.Compiled entry, double score, String version, List<Evidence> why) {}

  static Fingerprint score(Catalog catalog, Fingerprinter.Observations o) {
    List<Candidate> candidates = new ArrayList<>();
    for (Catalog.Compiled c : catalog.entries()) {
      if (o.protocol() == null || !c.protocols().contains(o.protocol())) {
        continue;
      }
      Candidate cand = candidate(c, o);
      if (cand != null && cand.score() > 0) {
        candidates.add(cand);
      }
    }
    if (candidates.isEmpty()) {
      return Fingerprint.unknown(o.seen());
    }
    candidates.sort(Comparator.comparingDouble(Candidate::score).reversed());
    Candidate best = candidates.get(0);
    List<String> also = new ArrayList<>();
    for (Candidate c : candidates.subList(1, candidates.size())) {
      if (c.score() >= best.score() - MARGIN) {
        also.add(c.entry().entry().family());
      }
    }
    double s = best.score();
    double conf = Math.min(best.entry().maxConfidence(), s / (s + 1.5)) / (1 + also.size());
    conf = Math.round(conf * 100) / 100.0;
    List<Evidence> evidence = new ArrayList<>(o.seen());
    evidence.addAll(best.why());
    CatalogEntry e = best.entry().entry();
    if (e.note() != null) {
      evidence.add(new Evidence("catalog", "note: " + e.note(), 0));
    }
    if (!also.isEmpty()) {
      evidence.add(new Evidence("catalog", "these fit as well: " + String.join(", ", also), 0));
    }
    evidence.add(new Evidence("catalog", "source: " + e.source(), 0));
    return new Fingerprint(e.family(), best.version(), conf, evidence, also);
  }

  private static Candidate candidate(Catalog.Compiled c, Fingerprinter.Observations o) {
    double score = 0;
    String version = null;
    List<Evidence> why = new ArrayList<>();
    boolean idMatched = false;
    if (o.id() != null && !c.ids().isEmpty()) {
      Map<String, Pattern> alt = matchingId(c.ids(), o.id());
      if (alt != null) {
        idMatched = true;
        score += ID_WEIGHT;
        why.add(new Evidence("id", "ID matches " + describe(alt), ID_WEIGHT));
        version = field(o.id(), versionField(c));
      } else if (field(o.id(), "name") != null) {
        score += ID_MISMATCH;
        why.add(new Evidence("id", "ID names another client", ID_MISMATCH));
      }
    }
    if (o.protocol() == Protocol.IMAP && o.tags().count() > 0 && !c.tags().isEmpty()) {
      Catalog.CompiledTag t = bestTag(c.tags(), o.tags());
      if (t == null && !idMatched) {
        return null;
      }
      if (t == null) {
        score -= 1;
        why.add(new Evidence("tag", "tag style unusual for this client", -1));
      } else {
        double w = t.weight() * Math.min(1.0, (o.tags().count() + 1) / 4.0);
        if (t.kind() != o.tags().kind()) {
          w /= 2; // a hex style that has not rolled over yet looks decimal
        }
        score += w;
        why.add(new Evidence("tag", "tag style fits (" + kind(t) + ")", w));
        if (version == null) {
          version = t.version();
        }
      }
    }
    for (Map.Entry<String, Double> f : c.features().entrySet()) {
      if (o.features().contains(f.getKey())) {
        score += f.getValue();
        why.add(new Evidence("feature", f.getKey(), f.getValue()));
      }
    }
    for (int i = 0; i < c.sequences().size(); i++) {
      List<String> seq = c.sequences().get(i);
      if (containsRun(o.opening(), seq)) {
        double w = c.sequenceWeights().get(i);
        score += w;
        why.add(new Evidence("order", String.join(" > ", seq), w));
      }
    }
    return new Candidate(c, score, version, why);
  }

  private static String versionField(Catalog.Compiled c) {
    String f = c.entry().versionFrom();
    return f == null ? "version" : f;
  }

  private static String kind(Catalog.CompiledTag t) {
    String p = t.prefix().pattern();
    return t.kind().name().toLowerCase(Locale.ROOT)
        + (p.isEmpty() ? "" : " prefix " + p)
        + (t.width() > 0 ? " width " + t.width() : "");
  }

  private static Map<String, Pattern> matchingId(
      List<Map<String, Pattern>> alts, List<IdParam> id) {
    for (Map<String, Pattern> alt : alts) {
      boolean all = true;
      for (Map.Entry<String, Pattern> f : alt.entrySet()) {
        String v = field(id, f.getKey());
        if (v == null || !f.getValue().matcher(v).find()) {
          all = false;
          break;
        }
      }
      if (all) {
        return alt;
      }
    }
    return null;
  }

  private static String describe(Map<String, Pattern> alt) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Pattern> f : alt.entrySet()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(f.getKey()).append(" ~ /");
      sb.append(f.getValue().pattern()).append('/');
    }
    return sb.toString();
  }

  /** An ID field's value by case-insensitive name (RFC 2971 §3.3), or null. */
  static String field(List<IdParam> id, String name) {
    for (IdParam p : id) {
      if (p.field().equalsIgnoreCase(name)) {
        return p.value();
      }
    }
    return null;
  }

  private static Catalog.CompiledTag bestTag(List<Catalog.CompiledTag> specs, TagShape o) {
    Catalog.CompiledTag best = null;
    for (Catalog.CompiledTag t : specs) {
      if (fits(t, o) && (best == null || t.weight() > best.weight())) {
        best = t;
      }
    }
    return best;
  }

  /** Whether an observed shape could come from a catalog tag style. */
  static boolean fits(Catalog.CompiledTag t, TagShape o) {
    TagShape.Kind k = o.kind();
    boolean hexSoFar =
        t.kind() == TagShape.Kind.HEX
            && k == TagShape.Kind.DECIMAL
            && o.prefix().isEmpty()
            && o.max() < 10;
    if (t.kind() != k && !hexSoFar) {
      return false;
    }
    if (k == TagShape.Kind.RANDOM) {
      return t.width() == 0 || t.width() == o.width();
    }
    if (k != TagShape.Kind.DOTTED && !t.prefix().matcher(o.prefix()).matches()) {
      return false;
    }
    if (k != TagShape.Kind.DOTTED) {
      boolean widthOk =
          t.width() > 0 ? o.width() == t.width() || o.width() == -t.width() : o.width() <= 0;
      if (!widthOk) {
        return false;
      }
    }
    if (o.first() < t.firstMin() || o.first() > t.firstMax()) {
      return false;
    }
    return o.increment() == 0 || o.increment() == 1;
  }

  private static boolean containsRun(List<String> opening, List<String> seq) {
    outer:
    for (int i = 0; i + seq.size() <= opening.size(); i++) {
      for (int j = 0; j < seq.size(); j++) {
        if (!opening.get(i + j).equals(seq.get(j))) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
