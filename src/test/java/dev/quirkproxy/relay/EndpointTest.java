package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quirkproxy.relay.Endpoint.BadEndpointException;
import dev.quirkproxy.session.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

  @ParameterizedTest
  @CsvSource({
    "imap://mail.example.com, IMAP, false, mail.example.com, 143",
    "imaps://mail.example.com, IMAP, true, mail.example.com, 993",
    "pop3://mail.example.com, POP3, false, mail.example.com, 110",
    "pop3s://mail.example.com, POP3, true, mail.example.com, 995",
    "pop://mail.example.com, POP3, false, mail.example.com, 110",
    "pops://mail.example.com, POP3, true, mail.example.com, 995",
    "IMAP://Mail.Example.com:1143, IMAP, false, Mail.Example.com, 1143",
    "imap://127.0.0.1:14143, IMAP, false, 127.0.0.1, 14143",
    "imap://127.0.0.1:14143/, IMAP, false, 127.0.0.1, 14143",
    "'  imap://host:1  ', IMAP, false, host, 1",
    "imap://[::1]:1143, IMAP, false, ::1, 1143",
    "pop3s://[2001:db8::1], POP3, true, 2001:db8::1, 995",
    "imap://host:0, IMAP, false, host, 0",
  })
  void parses(String url, Protocol protocol, boolean tls, String host, int port) {
    assertThat(Endpoint.parse(url)).isEqualTo(new Endpoint(protocol, tls, host, port));
  }

  @Test
  void schemeAndPortMayDefault() {
    assertThat(Endpoint.parse("127.0.0.1:1143", Protocol.IMAP, 9999))
        .isEqualTo(new Endpoint(Protocol.IMAP, false, "127.0.0.1", 1143));
    assertThat(Endpoint.parse("127.0.0.1", Protocol.POP3, 1110))
        .isEqualTo(new Endpoint(Protocol.POP3, false, "127.0.0.1", 1110));
    assertThat(Endpoint.parse("localhost", Protocol.IMAP, -1))
        .isEqualTo(new Endpoint(Protocol.IMAP, false, "localhost", 143));
    assertThat(Endpoint.parse("[::1]:1143", Protocol.IMAP, -1))
        .isEqualTo(new Endpoint(Protocol.IMAP, false, "::1", 1143));
    // An explicit scheme wins over the default protocol.
    assertThat(Endpoint.parse("pop3://0.0.0.0", Protocol.IMAP, 1143))
        .isEqualTo(new Endpoint(Protocol.POP3, false, "0.0.0.0", 1143));
  }

  @Test
  void missingSchemeWithoutDefault() {
    assertThatThrownBy(() -> Endpoint.parse("127.0.0.1:143"))
        .isInstanceOf(BadEndpointException.class)
        .hasMessage("'127.0.0.1:143' needs a scheme: imap://, imaps://, pop3:// or pop3s://");
  }

  @Test
  void badScheme() {
    assertThatThrownBy(() -> Endpoint.parse("smtp://mail.example.com:25"))
        .isInstanceOf(BadEndpointException.class)
        .hasMessage(
            "unknown scheme 'smtp' in 'smtp://mail.example.com:25': use imap, imaps, pop3 or pop3s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"imap://host/INBOX", "imap://host:143/INBOX;UID=1", "pop3://host/1"})
  void pathRejected(String url) {
    assertThatThrownBy(() -> Endpoint.parse(url))
        .isInstanceOf(BadEndpointException.class)
        .hasMessage("'" + url + "' has a path; give only scheme, host and port");
  }

  @Test
  void otherMistakes() {
    assertThatThrownBy(() -> Endpoint.parse("imap://")).isInstanceOf(BadEndpointException.class);
    assertThatThrownBy(() -> Endpoint.parse("imap://:143"))
        .isInstanceOf(BadEndpointException.class)
        .hasMessageContaining("names no host");
    assertThatThrownBy(() -> Endpoint.parse("imap://host:65536"))
        .isInstanceOf(BadEndpointException.class)
        .hasMessage("port 65536 is out of range 0-65535");
    assertThatThrownBy(() -> Endpoint.parse("imap://ho st"))
        .isInstanceOf(BadEndpointException.class)
        .hasMessageStartingWith("'imap://ho st' is not a valid URL: ");
  }

  @Test
  void printsBack() {
    assertThat(Endpoint.parse("imap://[::1]:1143")).hasToString("imap://[::1]:1143");
    assertThat(Endpoint.parse("pop3s://example.com")).hasToString("pop3s://example.com:995");
    assertThat(Endpoint.parse("pop://example.com")).hasToString("pop3://example.com:110");
    assertThat(Endpoint.parse("imap://h:0").withPort(4321))
        .isEqualTo(new Endpoint(Protocol.IMAP, false, "h", 4321));
    assertThat(Endpoint.parse("imap://127.0.0.1:1143").socketAddress().getPort()).isEqualTo(1143);
  }
}
