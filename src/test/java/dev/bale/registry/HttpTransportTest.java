package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 transport against a server on 127.0.0.1 that answers each request with bytes written
 * out by the test, so that every framing, and every way an answer can go wrong, is sent exactly as
 * a registry or a broken proxy might send it.
 */
class HttpTransportTest {
  private ScriptedServer server;
  private HttpTransport transport;

  @BeforeEach
  void start() throws IOException {
    server = new ScriptedServer();
    transport = new HttpTransport(false);
  }

  @AfterEach
  void stop() throws IOException {
    transport.close();
    server.close();
  }

  @Test
  void readsAnAnswerByItsLengthAndKeepsTheConnection() throws IOException {
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-One: a\r\nx-one: b\r\n\r\nhello");
    server.answer("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");

    Response first = get("/v2/");
    Response second =
        transport.send(
            Request.put(server.uri("/v2/x/manifests/latest"))
                .header("Content-Type", "application/json")
                .body(Request.Body.of("{}".getBytes(StandardCharsets.UTF_8))),
            Response.Reading.BYTES);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(text(first)).isEqualTo("hello");
    assertThat(first.headers("X-ONE")).containsExactly("a", "b");
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(server.connections()).isEqualTo(1);
    Received put = server.received(1);
    assertThat(put.line()).isEqualTo("PUT /v2/x/manifests/latest HTTP/1.1");
    assertThat(put.header("Host")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(put.header("Content-Length")).isEqualTo("2");
    assertThat(put.header("Content-Type")).isEqualTo("application/json");
    assertThat(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @Test
  void sendsTheQueryAndALargeBodyWhole() throws IOException {
    byte[] body = new byte[3 * 256 * 1024 + 17];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31 + 7);
    }
    server.answer("HTTP/1.1 202 Accepted\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n");

    Response response =
        transport.send(
            Request.patch(server.uri("/v2/x/blobs/uploads/abc?state=q%2Fz&n=1"))
                .body(Request.Body.of(body)),
            Response.Reading.DISCARD);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.header("location")).contains("/next");
    Received patch = server.received(0);
    assertThat(patch.line()).isEqualTo("PATCH /v2/x/blobs/uploads/abc?state=q%2Fz&n=1 HTTP/1.1");
    assertThat(patch.body()).isEqualTo(body);
  }

  @Test
  void sendsAHeadLongerThanAWritePieceBeforeTheBody() throws IOException {
    String value = "v".repeat(300 * 1024);
    server.answer("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");

    Response response =
        transport.send(
            Request.put(server.uri("/big"))
                .header("X-Large", value)
                .body(Request.Body.of("body".getBytes(StandardCharsets.UTF_8))),
            Response.Reading.BYTES);

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(server.received(0).header("X-Large")).isEqualTo(value);
    assertThat(text(server.received(0).body())).isEqualTo("body");
  }

  @Test
  void readsChunksWithExtensionsAndTrailers() throws IOException {
    server.answer(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\n"
            + "Trailer-One: x\r\n\r\n");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    Response chunked = get("/a");
    Response next = get("/b");

    assertThat(text(chunked)).isEqualTo("Wikipedia in \r\n\r\nchunks.");
    assertThat(text(next)).isEqualTo("ok");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void readsAnAnswerUpToTheEndOfTheConnectionAndThenOpensAnother() throws IOException {
    server.answerAndClose("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    Response first = transport.send(Request.get(server.uri("/a")), Response.Reading.STREAM);
    String text;
    try (InputStream in = first.stream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Response second = get("/b");

    assertThat(text).isEqualTo("until the end");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void readsAnHttp10AnswerWithoutALengthWhole() throws IOException {
    // What a TLS server written in Go says to a client that speaks plain HTTP to it.
    server.answerAndClose(
        "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");

    Response response = get("/v2/");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).isEqualTo("Client sent an HTTP request to an HTTPS server.\n");
  }

  @Test
  void aBodyClosedBeforeItsEndGivesUpItsConnection() throws IOException {
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    Response first = transport.send(Request.get(server.uri("/a")), Response.Reading.STREAM);
    byte[] start;
    try (InputStream in = first.stream()) {
      start = in.readNBytes(4);
    }
    Response second = get("/b");

    assertThat(new String(start, StandardCharsets.UTF_8)).isEqualTo("0123");
    assertThat(text(second)).isEqualTo("ok");
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void skipsInterimAnswersAndReadsNoBodyAfterHead() throws IOException {
    server.answer(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1234\r\n"
            + "Docker-Content-Digest: sha256:ab\r\n\r\n");
    server.answer("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno!");

    Response head = transport.send(Request.head(server.uri("/blob")), Response.Reading.DISCARD);
    Response missing = get("/gone");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.header("docker-content-digest")).contains("sha256:ab");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(text(missing)).isEqualTo("no!");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void sendsAgainOnAFreshConnectionWhenAKeptOneWasClosedMeanwhile() throws IOException {
    // The server closes the first connection right after its answer, without saying so.
    server.answerAndClose("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");

    get("/a");
    Response again =
        transport.send(
            Request.post(server.uri("/b")).body(Request.Body.of(new byte[] {1, 2, 3})),
            Response.Reading.BYTES);

    assertThat(text(again)).isEqualTo("b");
    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.received(server.receivedCount() - 1).body()).containsExactly(1, 2, 3);
  }

  @Test
  void sendsAgainOnAFreshConnectionWhenAKeptOneWasReset() throws Exception {
    server.answerAndReset("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");

    get("/a");
    // Let the reset arrive before the kept connection is used again.
    Thread.sleep(200);
    Response again = get("/b");

    assertThat(text(again)).isEqualTo("b");
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void readsTheAnswerOfARegistryThatStopsReadingTheBody() throws IOException {
    server.answerEarly(
        "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 14\r\nConnection: close\r\n\r\n"
            + "blob too large");
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    Response refused =
        transport.send(
            Request.put(server.uri("/upload")).body(Request.Body.of(new byte[64 << 20])),
            Response.Reading.BYTES);
    Response next = get("/next");

    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(text(refused)).isEqualTo("blob too large");
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void refusesAnswersThatAreNotHttp() {
    server.answer("SSH-2.0-OpenSSH_9.2\r\n\r\n");

    assertThatThrownBy(() -> get("/"))
        .isInstanceOf(IOException.class)
        .hasMessage("the answer is not HTTP/1.1: 'SSH-2.0-OpenSSH_9.2'");
  }

  @Test
  void refusesABadLengthAndAnUnknownCoding() {
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n");
    server.answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
    server.answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");

    assertThatThrownBy(() -> get("/")).hasMessage("bad Content-Length '-4' in the answer");
    assertThatThrownBy(() -> get("/"))
        .hasMessage("the answer's transfer coding 'gzip' is not chunked");
    assertThatThrownBy(() -> get("/")).hasMessage("bad chunk size 'zz' in the answer");
  }

  @Test
  void failsWhenTheBodyEndsBeforeItsLength() {
    server.answerAndClose("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");

    assertThatThrownBy(() -> get("/"))
        .isInstanceOf(EOFException.class)
        .hasMessage("the registry closed the connection 5 bytes early");
  }

  @Test
  void failsWhenTheConnectionEndsWithoutAnAnswer() {
    server.answerAndClose("");

    assertThatThrownBy(() -> get("/"))
        .isInstanceOf(EOFException.class)
        .hasMessage("the registry closed the connection without an answer");
  }

  @Test
  void refusesAWholeBodyOverItsLimit() {
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 17000000\r\n\r\n");

    assertThatThrownBy(() -> get("/"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("over 16 MiB");
  }

  @Test
  void givesUpOnAnAnswerThatDoesNotCome() {
    server.silent();

    long started = System.nanoTime();
    assertThatThrownBy(
            () ->
                transport.send(
                    Request.get(server.uri("/")).timeout(Duration.ofMillis(300)),
                    Response.Reading.BYTES))
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aBodyThatStallsFailsAfterTheRequestsTimeout() throws IOException {
    server.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");

    Response response =
        transport.send(
            Request.get(server.uri("/blob")).timeout(Duration.ofMillis(300)),
            Response.Reading.STREAM);

    try (InputStream in = response.stream()) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void givesUpOnABodyTheServerDoesNotRead() {
    server.silent();
    // Far more than the socket buffers of both ends hold, so the write itself blocks.
    byte[] body = new byte[64 * 1024 * 1024];

    assertThatThrownBy(
            () ->
                transport.send(
                    Request.put(server.uri("/"))
                        .body(Request.Body.of(body))
                        .timeout(Duration.ofMillis(500)),
                    Response.Reading.BYTES))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessageStartingWith("no answer within 500 ms");
  }

  @Test
  void anInterruptEndsAWaitAsTheExactInterruptedIoException() throws Exception {
    server.silent();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread waiting =
        new Thread(
            () -> {
              try {
                get("/");
                outcome.complete(null);
              } catch (Throwable e) {
                outcome.complete(e);
              }
            });
    waiting.start();
    server.awaitConnection();
    Thread.sleep(100);
    waiting.interrupt();

    Throwable thrown = outcome.get(10, TimeUnit.SECONDS);
    assertThat(thrown).isNotNull();
    assertThat(thrown.getClass()).isEqualTo(InterruptedIOException.class);
  }

  @Test
  void refusesHeadersThatWouldSplitTheRequest() {
    Request request = Request.get(URI.create("http://127.0.0.1/"));

    assertThatThrownBy(() -> request.header("X-Bad", "a\r\nInjected: yes"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> request.header("Bad Name", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Sends a GET of {@code path} to the server and reads the answer whole. */
  private Response get(String path) throws IOException {
    return transport.send(Request.get(server.uri(path)), Response.Reading.BYTES);
  }

  private static String text(Response response) {
    return text(response.bytes());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** A request as the server received it. */
  record Received(String line, List<String> headers, byte[] body) {
    String header(String name) {
      return Response.first(headers, name).orElse(null);
    }
  }

  /**
   * Accepts connections on 127.0.0.1 and answers each request with the next scripted answer, or
   * reads requests and never answers when silent.
   */
  private static final class ScriptedServer implements AutoCloseable {
    private static final String CLOSE_AFTER = "\0close";
    private static final String RESET_AFTER = "\0reset";
    private static final String EARLY = "\0early";

    private final ServerSocket socket;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    private volatile boolean silent;

    ScriptedServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "scripted-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port() + path);
    }

    int port() {
      return socket.getLocalPort();
    }

    void answer(String raw) {
      answers.add(raw);
    }

    void answerAndClose(String raw) {
      answers.add(CLOSE_AFTER + " " + raw);
    }

    /** Answers, then resets the connection, as a registry's proxy dropping it might. */
    void answerAndReset(String raw) {
      answers.add(RESET_AFTER + " " + raw);
    }

    /** Answers as soon as the request's head has come, and closes without reading its body. */
    void answerEarly(String raw) {
      answers.add(EARLY + " " + raw);
    }

    void silent() {
      silent = true;
    }

    int connections() {
      return connections.get();
    }

    Received received(int index) {
      return received.get(index);
    }

    int receivedCount() {
      return received.size();
    }

    void awaitConnection() throws Exception {
      firstConnection.get(10, TimeUnit.SECONDS);
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          connections.incrementAndGet();
          accepted.add(connection);
          firstConnection.complete(null);
          Thread handler = new Thread(() -> serve(connection), "scripted-connection");
          handler.setDaemon(true);
          handler.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        InputStream in = connection.getInputStream();
        OutputStream out = connection.getOutputStream();
        while (true) {
          if (silent) {
            // Hold the connection open and read nothing, like a registry that hangs.
            Thread.sleep(60_000);
            return;
          }
          Received request = readRequestHead(in);
          if (request == null) {
            return;
          }
          String answer = answers.poll(10, TimeUnit.SECONDS);
          if (answer == null) {
            return;
          }
          String mode = answer.startsWith("\0") ? answer.substring(0, answer.indexOf(' ')) : "";
          String raw = answer.substring(mode.isEmpty() ? 0 : mode.length() + 1);
          if (!mode.equals(EARLY)) {
            String length = request.header("Content-Length");
            byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            request = new Received(request.line(), request.headers(), body);
          }
          received.add(request);
          out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (mode.equals(RESET_AFTER)) {
            // Closing with a linger of zero sends a reset instead of an orderly end.
            connection.setSoLinger(true, 0);
          }
          if (!mode.isEmpty()) {
            // An early answer leaves the body unread, so the close resets the connection too.
            return;
          }
        }
      } catch (IOException e) {
        // The client went away; the test sees what it received.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static Received readRequestHead(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null) {
        return null;
      }
      List<String> headers = new ArrayList<>();
      for (String header; !(header = readLine(in)).isEmpty(); ) {
        int colon = header.indexOf(':');
        headers.add(header.substring(0, colon).trim());
        headers.add(header.substring(colon + 1).trim());
      }
      return new Received(line, List.copyOf(headers), new byte[0]);
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket connection : accepted) {
          connection.close();
        }
      }
    }
  }
}
