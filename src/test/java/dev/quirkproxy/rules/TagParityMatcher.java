package dev.quirkproxy.rules;

/**
 * The example of a custom matcher for the SPI: {@code {"custom": {"type": "tag-parity", "even":
 * true}}} matches commands whose tag ends in an even (or odd) digit.
 */
public final class TagParityMatcher implements MatcherFactory {

  @Override
  public String type() {
    return "tag-parity";
  }

  @Override
  public Matcher create(Params params) throws RuleException {
    params.allow("type", "even");
    boolean even = params.bool("even", true);
    return frame -> {
      String tag = frame.tag();
      if (tag == null || tag.isEmpty() || !Character.isDigit(tag.charAt(tag.length() - 1))) {
        return "the frame has no tag ending in a digit";
      }
      boolean isEven = (tag.charAt(tag.length() - 1) - '0') % 2 == 0;
      return isEven == even ? null : "the tag " + tag + " is " + (isEven ? "even" : "odd");
    };
  }
}
