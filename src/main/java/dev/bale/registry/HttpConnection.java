package dev.bale.registry;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection to one origin: writes a request, reads the head of the answer and frames
 * its body by length, by chunks or by the end of the connection.
 *
 * <p>The socket is a blocking {@link SocketChannel}'s, so that an interrupt of the thread waiting
 * on it closes it and wakes the thread, as a cancelled push needs; TLS runs on top of it.
 */
final class HttpConnection implements AutoCloseable {
  /** Requests' bodies go to the socket in pieces of this size. */
  private static final int WRITE_PIECE = 256 * 1024;

  private static final int READ_BUFFER = 64 * 1024;
  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_HEADERS = 256;

  private final String origin;
  private final SocketChannel channel;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private byte[] piece;
  private volatile boolean closed;
  private volatile boolean expired;

  /** Whether the socket itself failed or ended, rather than a request's body or an answer. */
  private boolean lost;

  /** Whether the status line of the current answer has been read. */
  private boolean answered;

  private HttpConnection(String origin, SocketChannel channel, Socket socket) throws IOException {
    this.origin = origin;
    this.channel = channel;
    this.socket = socket;
    this.in = new BufferedInputStream(new Watched(socket.getInputStream()), READ_BUFFER);
    this.out = new WatchedOutput(socket.getOutputStream());
  }

  /**
   * Connects to {@code host}:{@code port}, with TLS from {@code tls} when it is not null; {@code
   * verifyHost} checks that the server's certificate names the host.
   */
  static HttpConnection open(
      String origin,
      String host,
      int port,
      SSLSocketFactory tls,
      boolean verifyHost,
      int connectTimeoutMillis)
      throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      Socket plain = channel.socket();
      plain.setTcpNoDelay(true);
      InetSocketAddress address = new InetSocketAddress(host, port);
      if (address.isUnresolved()) {
        // The channel would say so with an exception of no message.
        throw new UnknownHostException(host);
      }
      plain.connect(address, connectTimeoutMillis);
      if (tls == null) {
        return new HttpConnection(origin, channel, plain);
      }
      SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
      if (verifyHost) {
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        secure.setSSLParameters(parameters);
      }
      // The handshake is bounded like a connect; the request sets its own wait afterwards.
      secure.setSoTimeout(connectTimeoutMillis);
      secure.startHandshake();
      return new HttpConnection(origin, channel, secure);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Returns the scheme, host and port this connection goes to. */
  String origin() {
    return origin;
  }

  /** Sets the longest wait for each read, 0 for none. */
  void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** Writes {@code request}, with the {@code host} header given, and its body. */
  void write(Request request, String host) throws IOException {
    answered = false;
    StringBuilder head = new StringBuilder(256);
    String path = request.uri().getRawPath();
    String query = request.uri().getRawQuery();
    head.append(request.method())
        .append(' ')
        .append(path == null || path.isEmpty() ? "/" : path)
        .append(query == null ? "" : "?" + query)
        .append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append("\r\n");
    head.append("User-Agent: bale\r\n");
    List<String> headers = request.headers();
    for (int i = 0; i < headers.size(); i += 2) {
      head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
    }
    Request.Body body = request.body();
    if (body != null) {
      head.append("Content-Length: ").append(body.length()).append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);

    if (body == null || body.length() == 0) {
      out.write(headBytes);
      out.flush();
      return;
    }
    try (InputStream source = body.open()) {
      writeBody(headBytes, source, body.length());
    }
  }

  /** Sends the head and the body in pieces, the head in front of the first. */
  private void writeBody(byte[] head, InputStream source, long length) throws IOException {
    if (piece == null) {
      piece = new byte[WRITE_PIECE];
    }
    int filled = 0;
    if (head.length < piece.length) {
      System.arraycopy(head, 0, piece, 0, head.length);
      filled = head.length;
    } else {
      out.write(head);
    }
    long left = length;
    while (left > 0) {
      int n = source.read(piece, filled, (int) Math.min(piece.length - filled, left));
      if (n < 0) {
        throw new IOException(
            "the request body ended after " + (length - left) + " of " + length + " bytes");
      }
      filled += n;
      left -= n;
      if (filled == piece.length || left == 0) {
        out.write(piece, 0, filled);
        filled = 0;
      }
    }
    out.flush();
  }

  /**
   * Reads the status line and headers of the next final answer, skipping interim ones (1xx).
   *
   * @throws EOFException if the connection ends before the status line
   */
  Head readHead() throws IOException {
    while (true) {
      String statusLine = readLine();
      if (statusLine == null) {
        lost = true;
        throw new EOFException("the registry closed the connection without an answer");
      }
      answered = true;
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new IOException("the answer is not HTTP/1.1: '" + printable(statusLine) + "'");
      }
      int status;
      try {
        status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("bad HTTP status line '" + printable(statusLine) + "'");
      }
      List<String> headers = new ArrayList<>(24);
      for (String line; !(line = requireLine()).isEmpty(); ) {
        if (headers.size() >= 2 * MAX_HEADERS) {
          throw new IOException("the answer has over " + MAX_HEADERS + " headers");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          // Not a header (or an obsolete continuation line): nothing bale reads.
          continue;
        }
        headers.add(line.substring(0, colon).trim());
        headers.add(line.substring(colon + 1).trim());
      }
      if (status >= 100 && status < 200) {
        continue;
      }
      boolean http10 = statusLine.startsWith("HTTP/1.0");
      return new Head(status, List.copyOf(headers), http10);
    }
  }

  /**
   * Returns the body that follows {@code head}, an answer to a request of {@code method}; {@code
   * done} learns, when the body has been read to its end, whether the connection can carry another
   * request.
   */
  InputStream body(Head head, String method, Done done) throws IOException {
    List<String> headers = head.headers();
    boolean keepAlive =
        !head.http10()
            && !Response.first(headers, "Connection").orElse("").equalsIgnoreCase("close");
    int status = head.status();
    if (method.equals("HEAD") || status == 204 || status == 304) {
      done.ended(keepAlive);
      return InputStream.nullInputStream();
    }
    String coding = Response.first(headers, "Transfer-Encoding").orElse("");
    if (!coding.isEmpty()) {
      if (!coding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
        throw new IOException("the answer's transfer coding '" + coding + "' is not chunked");
      }
      return new ChunkedBody(keepAlive, done);
    }
    String length = Response.first(headers, "Content-Length").orElse(null);
    if (length == null) {
      return new LengthBody(Long.MAX_VALUE, false, done);
    }
    try {
      long bytes = Long.parseLong(length);
      if (bytes < 0) {
        throw new NumberFormatException();
      }
      if (bytes == 0) {
        done.ended(keepAlive);
        return InputStream.nullInputStream();
      }
      return new LengthBody(bytes, keepAlive, done);
    } catch (NumberFormatException e) {
      throw new IOException("bad Content-Length '" + printable(length) + "' in the answer");
    }
  }

  private String requireLine() throws IOException {
    String line = readLine();
    if (line == null) {
      throw new EOFException("the registry closed the connection in the middle of an answer");
    }
    return line;
  }

  /** Reads a line ended by LF (CR LF in HTTP), or null at the end of the stream before any byte. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) {
          return null;
        }
        throw new EOFException("the registry closed the connection in the middle of a line");
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("a line of the answer is over " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    byte[] bytes = line.toByteArray();
    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }

  private static String printable(String text) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return shown.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /**
   * Tells whether the socket failed, or the registry closed the connection, before any answer to
   * the last request began: the registry may then never have seen the request.
   */
  boolean lostBeforeAnswer() {
    return lost && !answered;
  }

  /**
   * Reads the head of an answer that the registry sent before it had read the whole body, after
   * writing the body failed: a registry may refuse an upload at once and close the connection, and
   * its answer says more than the broken write. Returns null when none comes within {@code millis}.
   */
  Head earlyAnswer(int millis) {
    try {
      socket.setSoTimeout(millis);
      return readHead();
    } catch (IOException e) {
      return null;
    }
  }

  /** Closes the connection because its request is overdue, as {@link #expired} then tells. */
  void expire() {
    expired = true;
    close();
  }

  /** Tells whether {@link #expire} closed the connection. */
  boolean expired() {
    return expired;
  }

  /** Tells whether {@link #close} was called, by this thread or another. */
  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // The connection is being given up; nothing more can fail.
    }
    try {
      channel.close();
    } catch (IOException e) {
      // As above.
    }
  }

  /** The status and headers of an answer. */
  record Head(int status, List<String> headers, boolean http10) {
    /** Returns the Content-Length the answer declares, or -1 when it declares none that parses. */
    long declaredLength() {
      try {
        return Long.parseLong(Response.first(headers, "Content-Length").orElse("-1"));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }

  /** Learns that a body was read to its end. */
  @FunctionalInterface
  interface Done {
    /** Called once, with whether the connection can be used again. */
    void ended(boolean reusable);
  }

  /**
   * A body that tells {@link Done} once: at its end whether the connection can carry another
   * request, or when closed before its end that it cannot (reading the rest could take long; a new
   * connection is cheaper).
   */
  private abstract static class Body extends InputStream {
    private final boolean reusable;
    private final Done done;
    private boolean ended;

    Body(boolean reusable, Done done) {
      this.reusable = reusable;
      this.done = done;
    }

    /** Reads up to {@code len} more bytes, at least one, or returns -1 after calling end. */
    abstract int readSome(byte[] b, int off, int len) throws IOException;

    /** Marks the end of the body; {@code clean} when the connection is where the next answer is. */
    final void end(boolean clean) {
      ended = true;
      done.ended(clean && reusable);
    }

    @Override
    public final int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
      if (ended) {
        return -1;
      }
      return len == 0 ? 0 : readSome(b, off, len);
    }

    @Override
    public final void close() {
      if (!ended) {
        ended = true;
        done.ended(false);
      }
    }
  }

  /** A body of a known length, or (with {@link Long#MAX_VALUE}) up to the connection's end. */
  private final class LengthBody extends Body {
    private final boolean untilClose;
    private long left;

    LengthBody(long length, boolean reusable, Done done) {
      super(reusable, done);
      this.untilClose = length == Long.MAX_VALUE;
      this.left = length;
    }

    @Override
    int readSome(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        if (!untilClose) {
          throw new EOFException("the registry closed the connection " + left + " bytes early");
        }
        end(false);
        return -1;
      }
      left -= n;
      if (left == 0) {
        end(true);
      }
      return n;
    }
  }

  /** A body in chunks, each after its length in hexadecimal. */
  private final class ChunkedBody extends Body {
    private long left;

    ChunkedBody(boolean reusable, Done done) {
      super(reusable, done);
    }

    @Override
    int readSome(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        left = nextChunk();
        if (left == 0) {
          // The last chunk: skip the trailer fields up to the empty line.
          while (!requireLine().isEmpty()) {
            // Trailers carry nothing bale reads.
          }
          end(true);
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the registry closed the connection inside a chunk");
      }
      left -= n;
      if (left == 0 && !requireLine().isEmpty()) {
        throw new IOException("a chunk of the answer does not end where its size says");
      }
      return n;
    }

    private long nextChunk() throws IOException {
      String line = requireLine();
      int end = line.indexOf(';');
      String size = (end < 0 ? line : line.substring(0, end)).trim();
      try {
        long bytes = Long.parseLong(size, 16);
        if (bytes < 0 || size.length() > 15) {
          throw new NumberFormatException();
        }
        return bytes;
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size '" + printable(size) + "' in the answer");
      }
    }
  }

  /** Notes a failure of the socket itself; a timeout is the caller's wait, not the socket's. */
  private IOException lost(IOException e) {
    if (!(e instanceof InterruptedIOException)) {
      lost = true;
    }
    return e;
  }

  /** The socket's input, noting when it fails. */
  private final class Watched extends FilterInputStream {
    Watched(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        throw lost(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        throw lost(e);
      }
    }
  }

  /** The socket's output, noting when it fails. */
  private final class WatchedOutput extends FilterOutputStream {
    WatchedOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw lost(e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw lost(e);
      }
    }
  }
}
