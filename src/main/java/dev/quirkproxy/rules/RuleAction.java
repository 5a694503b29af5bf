package dev.quirkproxy.rules;

/**
 * What a rule does to a frame it matched: edits the {@link Effect} (the frame to send, what to
 * inject, delay, answer or end). Actions of several matching rules apply in turn to the same
 * effect. Must not block; runs on the session's event loop.
 */
@FunctionalInterface
public interface RuleAction {

  void apply(Frame frame, Effect effect);
}
