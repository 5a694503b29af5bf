package dev.quirkproxy.replay;

import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One session's way through a {@link Recording} (after mitmproxy's server playback: a normalised
 * key, recorded answers used in order). A live command takes the first recorded exchange with an
 * equal key that this session has not used yet; once every such exchange is used, the one used last
 * for that key answers again (a client that polls NOOP more often than recorded still gets an
 * answer). Not thread-safe: one per connection, on its event loop.
 */
final class Playbook {

  private final Protocol protocol;
  private final Set<Normalize> normalize;
  private final List<Recording.Exchange> exchanges;
  private final List<CommandKey> keys = new ArrayList<>();
  private final boolean[] used;

  Playbook(Recording recording, Set<Normalize> normalize) {
    this.protocol = recording.protocol();
    this.normalize = Set.copyOf(normalize);
    this.exchanges = recording.exchanges();
    for (Recording.Exchange x : exchanges) {
      keys.add(CommandKey.of(protocol, x.command, this.normalize));
    }
    this.used = new boolean[exchanges.size()];
  }

  /** The live command's key, as this playbook compares it. */
  CommandKey key(ClientCommand live) {
    return CommandKey.of(protocol, live, normalize);
  }

  /** The recorded exchange answering {@code live}, or null when there is none. */
  Recording.Exchange answer(CommandKey live) {
    int reuse = -1;
    for (int i = 0; i < exchanges.size(); i++) {
      if (!keys.get(i).matches(live)) {
        continue;
      }
      if (!used[i]) {
        used[i] = true;
        return exchanges.get(i);
      }
      reuse = i;
    }
    return reuse < 0 ? null : exchanges.get(reuse);
  }
}
