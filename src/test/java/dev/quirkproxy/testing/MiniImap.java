package dev.quirkproxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A minimal scripted IMAP server for tests: greets, records every line it reads, answers every
 * tagged command OK (APPEND with NO [TRYCREATE], CAPABILITY with a list that includes
 * COMPRESS=DEFLATE, LOGOUT with BYE).
 */
public final class MiniImap {

  private MiniImap() {}

  /** Serves one connection on {@code socket} until it closes, recording lines into {@code saw}. */
  public static void serve(Socket socket, String greeting, List<String> saw) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    serveCommands(socket, saw);
  }

  /** The same, without a greeting (after a STARTTLS upgrade). */
  public static void serveCommands(Socket socket, List<String> saw) throws IOException {
    OutputStream out = socket.getOutputStream();
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    String line;
    while ((line = in.readLine()) != null) {
      saw.add(line);
      String tag = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
      String command = line.substring(tag.length()).strip().toUpperCase(Locale.ROOT);
      String answer;
      if (command.startsWith("APPEND")) {
        answer = tag + " NO [TRYCREATE] no such mailbox\r\n";
      } else if (command.startsWith("CAPABILITY")) {
        answer =
            "* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE IDLE AUTH=PLAIN\r\n" + tag + " OK done\r\n";
      } else if (command.startsWith("LOGOUT")) {
        out.write(("* BYE bye\r\n" + tag + " OK done\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      } else {
        answer = tag + " OK done\r\n";
      }
      out.write(answer.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  /** A scripted server on a free port serving every connection this way. */
  public static ScriptedServer start(String greeting, List<String> saw) throws IOException {
    return new ScriptedServer(socket -> serve(socket, greeting, saw));
  }
}
