package dev.quirkproxy.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every capture of a listener (or several) on one thread of its own, so the relay's event
 * loops never block on a disk: they hand over events (retained buffers, not copies), and this
 * thread turns them into JSON lines. Lines reach the operating system at least every 100 ms and at
 * the end of each session, so after a kill -9 at most the last 100 ms are missing and every line
 * written is complete (see {@link CaptureReader} for how a cut is reported).
 */
public final class CaptureStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CaptureStore.class);
  private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Above this many queued bytes, sessions stop reading until the writer catches up. */
  static final long HIGH_WATER = 64L * 1024 * 1024;

  private static final JsonFactory JSON = new JsonFactory();

  private final CaptureSettings settings;
  private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Set<CaptureFile> open = new LinkedHashSet<>();
  private final Thread thread;
  private volatile boolean stopping;

  /** Work for the writer thread. */
  private interface Task {
    void run() throws IOException;

    default long bytes() {
      return 0;
    }

    default CaptureFile file() {
      return null;
    }

    default void discard() {}
  }

  public CaptureStore(CaptureSettings settings) {
    this.settings = settings;
    this.thread = new Thread(this::loop, "quirkproxy-capture-writer");
    thread.setDaemon(true);
    thread.start();
  }

  public CaptureSettings settings() {
    return settings;
  }

  /** Checks now, at start, that captures can be written; the message says why not. */
  public void checkWritable() throws IOException {
    CaptureFile.createPrivateDirectories(settings.directory());
    Path probe = Files.createTempFile(settings.directory(), ".probe-", ".tmp");
    Files.delete(probe);
  }

  boolean writable() {
    return queuedBytes.get() < HIGH_WATER;
  }

  /**
   * Opens a capture file for a session and writes its header, on the writer thread.
   *
   * @param onError called (on the writer thread) the first time writing this capture fails
   */
  CaptureFile open(
      String relativeName,
      Map<String, Object> header,
      Consumer<IOException> onError,
      CompletableFuture<Void> done) {
    CaptureFile file = new CaptureFile(settings.directory().resolve(relativeName));
    submit(
        new Task() {
          @Override
          public void run() {
            try {
              enforceRetention();
              file.open();
              file.writeLine(render(header));
              file.flush();
              open.add(file);
              done.complete(null);
            } catch (IOException | UncheckedIOException e) {
              file.failed = true;
              IOException cause =
                  e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
              log.warn("cannot write capture {}: {}", file.path, why(cause));
              onError.accept(cause);
              done.complete(null);
            }
          }
        });
    return file;
  }

  /**
   * A frame event; {@code data} is a retained buffer this store releases, or null with {@code
   * text}.
   */
  void frame(
      CaptureFile file,
      Map<String, Object> fields,
      ByteBuf data,
      String text,
      Consumer<IOException> onError) {
    long size = data == null ? 0 : data.readableBytes();
    submit(
        new Task() {
          @Override
          public void run() throws IOException {
            try {
              if (file.failed) {
                file.gaps++;
                return;
              }
              try {
                if (data != null) {
                  addData(file, fields, data);
                } else if (text != null) {
                  fields.put("text", text);
                }
                file.writeLine(render(fields));
              } catch (IOException e) {
                fail(file, e, onError);
              }
            } finally {
              discard();
            }
          }

          @Override
          public long bytes() {
            return size;
          }

          @Override
          public CaptureFile file() {
            return file;
          }

          private boolean discarded;

          @Override
          public void discard() {
            // Once only: the buffer shares its count with the relay's, so refCnt() cannot tell.
            if (data != null && !discarded) {
              discarded = true;
              data.release();
            }
          }
        });
  }

  /** Writes the footer and closes the capture. */
  void finish(CaptureFile file, Map<String, Object> footer, Consumer<IOException> onError) {
    submit(
        () -> {
          open.remove(file);
          if (file.gaps > 0) {
            footer.put("gaps", file.gaps);
          }
          try {
            if (file.isOpen()) {
              // Even after a failure the footer is tried: it tells a reader where the gap is.
              file.writeLine(render(footer));
              file.flush();
            }
          } catch (IOException e) {
            if (!file.failed) {
              fail(file, e, onError);
            }
          } finally {
            try {
              file.close();
            } catch (IOException e) {
              log.warn("cannot close capture {}: {}", file.path, why(e));
            }
          }
        });
  }

  private void fail(CaptureFile file, IOException e, Consumer<IOException> onError) {
    file.failed = true;
    file.gaps++;
    log.warn("cannot write capture {}: {}", file.path, why(e));
    onError.accept(e);
  }

  /** An I/O failure as a person reads it: the file and the reason, without exception names. */
  public static String why(IOException e) {
    if (e instanceof java.nio.file.FileSystemException fs) {
      String reason =
          fs.getReason() != null
              ? fs.getReason()
              : e instanceof java.nio.file.NoSuchFileException
                  ? "no such file or directory"
                  : e instanceof java.nio.file.AccessDeniedException
                      ? "permission denied"
                      : e instanceof java.nio.file.FileAlreadyExistsException
                          ? "already exists"
                          : "cannot be used";
      return fs.getFile() + ": " + reason;
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private void addData(CaptureFile file, Map<String, Object> fields, ByteBuf data)
      throws IOException {
    int n = data.readableBytes();
    if (n > settings.inlineLimit()) {
      ByteBuffer nio = data.nioBuffer();
      long offset = file.appendBlob(nio);
      fields.put(
          "blob",
          Map.of("file", file.blobPath.getFileName().toString(), "offset", offset, "length", n));
      return;
    }
    byte[] bytes = new byte[n];
    data.getBytes(data.readerIndex(), bytes);
    String text = printableUtf8(bytes);
    if (text != null) {
      fields.put("text", text);
    } else {
      fields.put("base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  /** The bytes as text if they are UTF-8 without control characters other than TAB, CR, LF. */
  static String printableUtf8(byte[] bytes) {
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
        return null;
      }
    }
    return s;
  }

  static byte[] render(Map<String, Object> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, fields);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @SuppressWarnings("unchecked")
  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Iterable<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        write(g, item);
      }
      g.writeEndArray();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Integer i) {
      g.writeNumber(i);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value == null) {
      g.writeNull();
    } else {
      g.writeString(value.toString());
    }
  }

  private void submit(Task task) {
    if (stopping) {
      task.discard();
      return;
    }
    queuedBytes.addAndGet(task.bytes());
    queue.add(task);
  }

  private void loop() {
    long lastFlush = System.nanoTime();
    while (true) {
      Task task;
      try {
        task = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (task != null) {
        queuedBytes.addAndGet(-task.bytes());
        try {
          task.run();
        } catch (IOException | RuntimeException e) {
          log.warn("capture writer: {}", e.toString());
          task.discard();
        }
      }
      if (System.nanoTime() - lastFlush >= FLUSH_NANOS || task == null) {
        flushAll();
        lastFlush = System.nanoTime();
      }
      if (stopping && queue.isEmpty()) {
        break;
      }
    }
    flushAll();
  }

  private void flushAll() {
    for (CaptureFile f : open) {
      if (!f.failed) {
        try {
          f.flush();
        } catch (IOException e) {
          f.failed = true;
          f.gaps++;
          log.warn("cannot flush capture {}: {}", f.path, why(e));
        }
      }
    }
  }

  /** Deletes the oldest captures (and their blobs) beyond the file and byte limits. */
  private void enforceRetention() throws IOException {
    if (settings.maxFiles() <= 0 && settings.maxBytes() <= 0) {
      return;
    }
    CaptureFile.createPrivateDirectories(settings.directory());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(settings.directory(), 2)) {
      files = new ArrayList<>(walk.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList());
    }
    long total = 0;
    for (Path p : files) {
      total += size(p) + size(blobOf(p));
    }
    // Room for the capture about to be opened.
    while (!files.isEmpty()
        && ((settings.maxFiles() > 0 && files.size() >= settings.maxFiles())
            || (settings.maxBytes() > 0 && total > settings.maxBytes()))) {
      Path oldest = files.remove(0);
      if (open.stream().anyMatch(f -> f.path.equals(oldest))) {
        continue;
      }
      total -= size(oldest) + size(blobOf(oldest));
      Files.deleteIfExists(oldest);
      Files.deleteIfExists(blobOf(oldest));
      log.info("retention: deleted {}", oldest);
    }
  }

  private static Path blobOf(Path jsonl) {
    String name = jsonl.getFileName().toString();
    return jsonl.resolveSibling(name.substring(0, name.length() - ".jsonl".length()) + ".blob");
  }

  private static long size(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Writes everything queued, then stops the writer thread. */
  @Override
  public void close() {
    stopping = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Task t;
    while ((t = queue.poll()) != null) {
      t.discard();
    }
  }
}
