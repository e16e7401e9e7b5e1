package dev.bale.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of a registry that drops the connection once, after a given
 * number of bytes from the client, the way a flaky network breaks an upload: either in the middle
 * of a request, so that the registry sees part of it, or just as the client starts its next {@code
 * PATCH}, so that the registry sees none of it.
 */
public final class RegistryProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final long dropAfter;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicBoolean dropped = new AtomicBoolean();
  private final boolean betweenRequests;

  private RegistryProxy(int targetPort, long dropAfter, boolean betweenRequests)
      throws IOException {
    this.betweenRequests = betweenRequests;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.dropAfter = dropAfter;
    Thread acceptor = new Thread(this::accept, "registry-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a proxy to 127.0.0.1:{@code targetPort} that drops once past {@code dropAfter} bytes, in
   * the middle of a request.
   */
  public static RegistryProxy tearingRequest(int targetPort, long dropAfter) throws IOException {
    return new RegistryProxy(targetPort, dropAfter, false);
  }

  /**
   * Starts a proxy to 127.0.0.1:{@code targetPort} that drops once past {@code dropAfter} bytes,
   * when the next {@code PATCH} request starts, forwarding none of it.
   */
  public static RegistryProxy droppingNextPatch(int targetPort, long dropAfter) throws IOException {
    return new RegistryProxy(targetPort, dropAfter, true);
  }

  /** Returns {@code 127.0.0.1:PORT} of the proxy. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Tells whether the proxy has dropped its connection. */
  public boolean dropped() {
    return dropped.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        pump(client, target, true);
        pump(target, client, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean upstream) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  if (upstream && shouldDrop(buffer, n)) {
                    // A torn request gets half of this buffer through; a dropped one nothing.
                    out.write(buffer, 0, betweenRequests ? 0 : n / 2);
                    out.flush();
                    from.close();
                    to.close();
                    return;
                  }
                  out.write(buffer, 0, n);
                }
              } catch (IOException e) {
                // One side closed; close the other below.
              }
              closeQuietly(from);
              closeQuietly(to);
            },
            "registry-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean shouldDrop(byte[] buffer, int length) {
    boolean past = forwarded.addAndGet(length) > dropAfter;
    boolean patchStarts =
        new String(buffer, 0, Math.min(length, 6), java.nio.charset.StandardCharsets.US_ASCII)
            .equals("PATCH ");
    return past && (!betweenRequests || patchStarts) && dropped.compareAndSet(false, true);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  /** Stops accepting connections. */
  @Override
  public void close() throws IOException {
    server.close();
  }
}
