package dev.quirkproxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * What goes out on one channel, in order, with pauses: a rule that delays a frame or splits it into
 * timed chunks makes everything after it in that direction wait too. When nothing is waiting, a
 * write goes straight to the channel (the fast path every untouched frame takes). On the channel's
 * event loop.
 */
final class Outbox {

  private final Channel out;
  private final Runnable onDrained;
  private final Deque<Object> queue = new ArrayDeque<>();
  private boolean pausing;
  private boolean discarded;

  /**
   * @param onDrained runs when the last waiting item has gone out (to resume reading the side that
   *     feeds this one)
   */
  Outbox(Channel out, Runnable onDrained) {
    this.out = out;
    this.onDrained = onDrained;
  }

  /** True when nothing is waiting: a write now goes out at once. */
  boolean idle() {
    return queue.isEmpty() && !pausing;
  }

  /** Writes {@code bytes} (not flushed), or queues them behind what is waiting. */
  void send(ByteBuf bytes) {
    if (discarded) {
      ReferenceCountUtil.release(bytes);
    } else if (idle()) {
      out.write(bytes);
    } else {
      queue.add(bytes);
    }
  }

  /** Waits {@code duration} before anything sent after this goes out. */
  void pause(Duration duration) {
    if (duration.isZero() || duration.isNegative() || discarded) {
      return;
    }
    queue.add(duration);
    if (!pausing) {
      drain();
    }
  }

  /** Runs {@code action} once everything before it has gone out (now, when idle). */
  void then(Runnable action) {
    if (idle()) {
      action.run();
    } else {
      queue.add(action);
    }
  }

  private void drain() {
    while (!queue.isEmpty() && !discarded) {
      Object next = queue.poll();
      if (next instanceof Duration d) {
        pausing = true;
        out.flush();
        out.eventLoop()
            .schedule(
                () -> {
                  pausing = false;
                  drain();
                },
                d.toNanos(),
                TimeUnit.NANOSECONDS);
        return;
      } else if (next instanceof ByteBuf b) {
        out.write(b);
      } else if (next instanceof Runnable r) {
        r.run();
      }
    }
    out.flush();
    if (!discarded) {
      onDrained.run();
    }
  }

  /** The session is ending: whatever waits is dropped (and its buffers released). */
  void discard() {
    discarded = true;
    for (Object o : queue) {
      ReferenceCountUtil.release(o);
    }
    queue.clear();
  }
}
