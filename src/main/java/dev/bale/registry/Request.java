package dev.bale.registry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request to a registry: method, URI, headers and body, and how long to wait for the
 * answer. A request is a value; {@link #header} and {@link #body} return changed copies, so one
 * request can be sent again, with fresh credentials, after a failure.
 */
final class Request {
  /** The bytes of a request, which can be read again from the start for a repeated request. */
  interface Body {
    /** Returns the number of bytes {@link #open} gives. */
    long length();

    /** Opens the bytes from the first; the sender closes the stream. */
    InputStream open() throws IOException;

    /** Returns a body of {@code bytes}. */
    static Body of(byte[] bytes) {
      return new Body() {
        @Override
        public long length() {
          return bytes.length;
        }

        @Override
        public InputStream open() {
          return new ByteArrayInputStream(bytes);
        }
      };
    }

    /** Returns a body of the {@code length} bytes that {@code source} opens. */
    static Body of(Source source, long length) {
      return new Body() {
        @Override
        public long length() {
          return length;
        }

        @Override
        public InputStream open() throws IOException {
          return source.open();
        }
      };
    }
  }

  /** Opens a stream. */
  @FunctionalInterface
  interface Source {
    /** Opens the stream. */
    InputStream open() throws IOException;
  }

  private static final Body EMPTY = Body.of(new byte[0]);

  private final String method;
  private final URI uri;
  private final List<String> headers;
  private final Body body;
  private final Duration timeout;

  private Request(String method, URI uri, List<String> headers, Body body, Duration timeout) {
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.body = body;
    this.timeout = timeout;
  }

  /** Returns a GET of {@code uri}. */
  static Request get(URI uri) {
    return new Request("GET", uri, List.of(), null, null);
  }

  /** Returns a HEAD of {@code uri}. */
  static Request head(URI uri) {
    return new Request("HEAD", uri, List.of(), null, null);
  }

  /** Returns a POST of {@code uri} with an empty body. */
  static Request post(URI uri) {
    return new Request("POST", uri, List.of(), EMPTY, null);
  }

  /** Returns a PUT of {@code uri} with an empty body. */
  static Request put(URI uri) {
    return new Request("PUT", uri, List.of(), EMPTY, null);
  }

  /** Returns a PATCH of {@code uri} with an empty body. */
  static Request patch(URI uri) {
    return new Request("PATCH", uri, List.of(), EMPTY, null);
  }

  /** Returns this request with the header {@code name: value} added. */
  Request header(String name, String value) {
    if (name.isEmpty() || !isToken(name) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("bad HTTP header '" + name + "'");
    }
    List<String> more = new ArrayList<>(headers.size() + 2);
    more.addAll(headers);
    more.add(name);
    more.add(value);
    return new Request(method, uri, List.copyOf(more), body, timeout);
  }

  /** Returns this request with {@code body}, which a GET or HEAD cannot have. */
  Request body(Body body) {
    if (this.body == null) {
      throw new IllegalStateException("a " + method + " request has no body");
    }
    return new Request(method, uri, headers, body, timeout);
  }

  /** Returns this request with the longest wait for the response to begin. */
  Request timeout(Duration timeout) {
    return new Request(method, uri, headers, body, timeout);
  }

  String method() {
    return method;
  }

  URI uri() {
    return uri;
  }

  /** Returns the headers as name, value, name, value... in the order they were added. */
  List<String> headers() {
    return headers;
  }

  /** Returns the body, or null for a method without one. */
  Body body() {
    return body;
  }

  /** Returns the body's length, 0 for none. */
  long bodyLength() {
    return body == null ? 0 : body.length();
  }

  /** Returns the longest wait for the response, or null for no limit. */
  Duration timeout() {
    return timeout;
  }

  private static boolean isToken(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 127 || c == ':') {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }
}
