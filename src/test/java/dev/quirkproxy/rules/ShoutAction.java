package dev.quirkproxy.rules;

import java.util.Locale;

/**
 * The example of a custom action for the SPI ({@code META-INF/services}): {@code {"type": "shout",
 * "prefix": "..."}} upper-cases the text of a frame and puts a prefix before its first word.
 */
public final class ShoutAction implements ActionFactory {

  @Override
  public String type() {
    return "shout";
  }

  @Override
  public RuleAction create(Params params) throws RuleException {
    params.allow("type", "prefix");
    String prefix = params.string("prefix", "");
    return (frame, effect) -> effect.editText(t -> prefix + t.toUpperCase(Locale.ROOT));
  }
}
