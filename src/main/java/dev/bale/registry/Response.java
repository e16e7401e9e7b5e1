package dev.bale.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A registry's answer to a {@link Request}: the status, the headers, and the body, either read
 * whole ({@link Reading#BYTES}), left to the caller as a stream ({@link Reading#STREAM}) or
 * dropped.
 */
final class Response {
  /** What to do with the body of a response. */
  enum Reading {
    /** Read it and drop it. */
    DISCARD,
    /** Read it whole into {@link #bytes()}. */
    BYTES,
    /** Leave it to the caller, who reads and closes {@link #stream()}. */
    STREAM
  }

  private static final byte[] NOTHING = new byte[0];

  private final int status;
  private final List<String> headers;
  private final byte[] bytes;
  private final InputStream stream;

  /**
   * @param headers names and values alternating, as they came
   * @param bytes the body read whole, or null
   * @param stream the body to read, or null
   */
  Response(int status, List<String> headers, byte[] bytes, InputStream stream) {
    this.status = status;
    this.headers = headers;
    this.bytes = bytes == null ? NOTHING : bytes;
    this.stream = stream;
  }

  int statusCode() {
    return status;
  }

  /** Returns the first value of the header {@code name}, whatever its case. */
  Optional<String> header(String name) {
    return first(headers, name);
  }

  /** Returns the first value of {@code name} in {@code headers}, names and values alternating. */
  static Optional<String> first(List<String> headers, String name) {
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase(name)) {
        return Optional.of(headers.get(i + 1));
      }
    }
    return Optional.empty();
  }

  /** Returns every value of the header {@code name}, whatever its case, in order. */
  List<String> headers(String name) {
    List<String> values = new ArrayList<>(1);
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase(name)) {
        values.add(headers.get(i + 1));
      }
    }
    return values;
  }

  /** Returns the body read whole, empty unless it was read with {@link Reading#BYTES}. */
  byte[] bytes() {
    return bytes;
  }

  /** Returns the body as a stream, or an empty one unless read with {@link Reading#STREAM}. */
  InputStream stream() {
    return stream == null ? InputStream.nullInputStream() : stream;
  }

  /** Returns up to {@code limit} bytes of the body, however it was read, and closes its stream. */
  byte[] firstBytes(int limit) {
    if (stream == null) {
      return bytes;
    }
    try (stream) {
      return stream.readNBytes(limit);
    } catch (IOException e) {
      return NOTHING;
    }
  }

  /** Closes the body's stream, if it was left open, without reading it. */
  void discard() {
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        // Closing only frees the connection; a failure leaves nothing to undo.
      }
    }
  }
}
