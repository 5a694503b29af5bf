package dev.quirkproxy.rules;

import dev.quirkproxy.session.Protocol;

/**
 * A compiled rule: its conditions and its action, with what the engine needs to pick it quickly.
 *
 * @param id unique across the loaded files
 * @param description what it is for
 * @param file the file it came from
 * @param enabled false rules are loaded (and checked) but never applied
 * @param priority higher goes first; equal priorities keep file and list order
 * @param probability 0..1, the chance it acts when it matches
 * @param times how often it may act per session (0: no limit)
 * @param when its conditions
 * @param action what it does
 * @param actionType the action's {@code type}
 * @param fromClient the direction it can match (null: both)
 * @param protocol the protocol it can match (null: both)
 */
public record Rule(
    String id,
    String description,
    String file,
    boolean enabled,
    int priority,
    double probability,
    long times,
    Matcher when,
    RuleAction action,
    String actionType,
    Boolean fromClient,
    Protocol protocol) {

  /** True when the rule can match frames of this protocol and direction. */
  boolean appliesTo(Protocol p, boolean client) {
    return enabled
        && (protocol == null || protocol == p)
        && (fromClient == null || fromClient == client);
  }
}
