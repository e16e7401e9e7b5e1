package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistryClientTest {
  @Test
  void schemes_otherMachine_httpsOnly() {
    assertThat(RegistryClient.schemes("registry.example.org", false, false))
        .containsExactly("https");
    assertThat(RegistryClient.schemes("10.0.0.7", false, false)).containsExactly("https");
  }

  @Test
  void schemes_otherMachineWithPlainHttp_httpOnly() {
    assertThat(RegistryClient.schemes("registry.example.org", true, false)).containsExactly("http");
    assertThat(RegistryClient.schemes("registry.example.org", true, true)).containsExactly("http");
  }

  @Test
  void schemes_otherMachineInsecure_httpsThenHttp() {
    assertThat(RegistryClient.schemes("registry.example.org", false, true))
        .containsExactly("https", "http");
  }

  @Test
  void schemes_thisMachine_httpsThenHttp_orHttpWithPlainHttp() {
    for (String host : new String[] {"127.0.0.1", "127.3.2.1", "localhost", "::1"}) {
      assertThat(RegistryClient.schemes(host, false, false)).containsExactly("https", "http");
      assertThat(RegistryClient.schemes(host, true, false)).containsExactly("http");
    }
    assertThat(RegistryClient.schemes("localhost.example.org", false, false))
        .containsExactly("https");
    assertThat(RegistryClient.schemes("128.0.0.1", false, false)).containsExactly("https");
  }

  @Test
  void probe_serverAnsweringPlainHttp_isNotTls() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer =
          new Thread(
              () -> {
                try (Socket client = server.accept();
                    OutputStream out = client.getOutputStream()) {
                  out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                  // The probe has its answer or its timeout either way.
                }
              });
      answer.start();
      ImageReference target = ImageReference.parse("127.0.0.1:" + server.getLocalPort() + "/a:1");

      assertThat(TlsProbe.probe(target)).isEqualTo(TlsProbe.Outcome.NOT_TLS);
      answer.join();
    }
  }

  @Test
  void probe_nothingListening_isUnreachable() throws Exception {
    int port;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = server.getLocalPort();
    }
    ImageReference target = ImageReference.parse("127.0.0.1:" + port + "/a:1");

    assertThat(TlsProbe.probe(target)).isEqualTo(TlsProbe.Outcome.UNREACHABLE);
  }
}
