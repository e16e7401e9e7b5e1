package dev.bale.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * An S-expression as libgcrypt and Guix keep keys, signatures and the authorisation list: an atom
 * (a byte string) or a list of S-expressions.
 *
 * <p>{@link #parse} reads the forms libgcrypt writes and reads: tokens ({@code ecc}), quoted
 * strings ({@code "sha256"}), hexadecimal ({@code #0A1B#}), Base64 ({@code |Chs=|}) and canonical
 * length-prefixed bytes ({@code 3:abc}). {@link #toString} writes the readable one-line form, with
 * each atom as a token when it reads back as one and in hexadecimal otherwise, so that {@code
 * parse(s.toString())} equals {@code s}. Display hints ({@code [text/plain]}) are not supported.
 */
sealed interface Sexp permits Sexp.Atom, Sexp.Group {

  /** The deepest nesting accepted; real keys and signatures nest four deep. */
  int MAX_DEPTH = 32;

  /** A byte string. */
  record Atom(byte[] bytes) implements Sexp {
    public Atom {
      bytes = bytes.clone();
    }

    /** Returns a copy of the bytes. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Atom atom && Arrays.equals(bytes, atom.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      if (Reader.isToken(text)) {
        return text;
      }
      return "#" + HexFormat.of().withUpperCase().formatHex(bytes) + "#";
    }
  }

  /** A list of S-expressions. */
  record Group(List<Sexp> elements) implements Sexp {
    public Group {
      elements = List.copyOf(elements);
    }

    /** Returns the name of this list: its first element when that is an atom, else empty. */
    String name() {
      if (!elements.isEmpty() && elements.get(0) instanceof Atom atom) {
        return new String(atom.bytes, StandardCharsets.ISO_8859_1);
      }
      return "";
    }

    /** Returns the first element of this list that is a list named {@code name}. */
    Optional<Group> find(String name) {
      for (Sexp element : elements) {
        if (element instanceof Group group && group.name().equals(name)) {
          return Optional.of(group);
        }
      }
      return Optional.empty();
    }

    /**
     * Returns the bytes of the single atom after the name of the element named {@code name}, as in
     * {@code (q #..#)}.
     *
     * @throws ArchiveException if there is no such element or it is not a name and one atom
     */
    byte[] value(String name) throws ArchiveException {
      Group element =
          find(name)
              .orElseThrow(
                  () -> new ArchiveException("(" + name() + " ...) has no (" + name + " ...)"));
      if (element.elements.size() != 2 || !(element.elements.get(1) instanceof Atom atom)) {
        throw new ArchiveException("(" + name + " ...) must hold exactly one value");
      }
      return atom.bytes;
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder("(");
      for (Sexp element : elements) {
        if (text.length() > 1) {
          text.append(' ');
        }
        text.append(element);
      }
      return text.append(')').toString();
    }
  }

  /** Returns an atom holding the ASCII bytes of {@code text}. */
  static Atom atom(String text) {
    return new Atom(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Returns a list of {@code elements}, strings standing for atoms. */
  static Group list(Object... elements) {
    List<Sexp> list = new ArrayList<>();
    for (Object element : elements) {
      list.add(element instanceof String text ? atom(text) : (Sexp) element);
    }
    return new Group(list);
  }

  /**
   * Parses {@code bytes}, which must hold exactly one list and nothing else but white space.
   *
   * @throws ArchiveException if the bytes are not such an S-expression; the message says where
   */
  static Group parse(byte[] bytes) throws ArchiveException {
    return new Reader(bytes).document();
  }

  /** Reads the forms {@link Sexp#parse} accepts. */
  final class Reader {
    private static final String TOKEN_START =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-./_:*+=";
    private static final String TOKEN_PART = TOKEN_START + "0123456789";

    private final byte[] bytes;
    private int position;

    private Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    /** Tells whether {@code text} reads back as one token. */
    static boolean isToken(String text) {
      if (text.isEmpty() || TOKEN_START.indexOf(text.charAt(0)) < 0) {
        return false;
      }
      return text.chars().allMatch(c -> TOKEN_PART.indexOf(c) >= 0);
    }

    private Group document() throws ArchiveException {
      skipSpace();
      if (position >= bytes.length || bytes[position] != '(') {
        throw error("expected '(' to start an S-expression");
      }
      Group group = group(1);
      skipSpace();
      if (position < bytes.length) {
        throw error("unexpected data after the S-expression");
      }
      return group;
    }

    private Group group(int depth) throws ArchiveException {
      if (depth > MAX_DEPTH) {
        throw error("lists nest deeper than " + MAX_DEPTH);
      }
      position++;
      List<Sexp> elements = new ArrayList<>();
      while (true) {
        skipSpace();
        if (position >= bytes.length) {
          throw error("the S-expression ends before its ')'");
        }
        int c = bytes[position] & 0xff;
        if (c == ')') {
          position++;
          return new Group(elements);
        }
        elements.add(c == '(' ? group(depth + 1) : atom());
      }
    }

    private Atom atom() throws ArchiveException {
      int c = bytes[position] & 0xff;
      if (c == '#') {
        return new Atom(delimited('#', "hexadecimal", this::hex));
      }
      if (c == '|') {
        return new Atom(delimited('|', "Base64", this::base64));
      }
      if (c == '"') {
        return new Atom(quoted());
      }
      if (c >= '0' && c <= '9') {
        return new Atom(canonical());
      }
      if (TOKEN_START.indexOf(c) >= 0) {
        int start = position;
        while (position < bytes.length && TOKEN_PART.indexOf(bytes[position] & 0xff) >= 0) {
          position++;
        }
        return new Atom(Arrays.copyOfRange(bytes, start, position));
      }
      throw error("unexpected character '" + (char) c + "'");
    }

    private interface Decoder {
      byte[] decode(String text) throws ArchiveException;
    }

    private byte[] delimited(char delimiter, String what, Decoder decoder) throws ArchiveException {
      int start = ++position;
      while (position < bytes.length && bytes[position] != delimiter) {
        position++;
      }
      if (position >= bytes.length) {
        throw error("the " + what + " string has no closing '" + delimiter + "'");
      }
      String text = new String(bytes, start, position - start, StandardCharsets.ISO_8859_1);
      position++;
      return decoder.decode(text.replaceAll("\\s", ""));
    }

    private byte[] hex(String text) throws ArchiveException {
      try {
        return HexFormat.of().parseHex(text);
      } catch (IllegalArgumentException e) {
        throw error("'#" + text + "#' is not an even number of hexadecimal digits");
      }
    }

    private byte[] base64(String text) throws ArchiveException {
      try {
        return Base64.getDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw error("'|" + text + "|' is not Base64");
      }
    }

    private byte[] quoted() throws ArchiveException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      position++;
      while (position < bytes.length && bytes[position] != '"') {
        int c = bytes[position++] & 0xff;
        if (c == '\\') {
          if (position >= bytes.length) {
            break;
          }
          c = escaped(bytes[position++] & 0xff);
        }
        out.write(c);
      }
      if (position >= bytes.length) {
        throw error("the quoted string has no closing '\"'");
      }
      position++;
      return out.toByteArray();
    }

    private int escaped(int c) throws ArchiveException {
      return switch (c) {
        case 'n' -> '\n';
        case 't' -> '\t';
        case 'r' -> '\r';
        case '"', '\\', '\'' -> c;
        default -> throw error("unsupported escape '\\" + (char) c + "' in a quoted string");
      };
    }

    private byte[] canonical() throws ArchiveException {
      long length = 0;
      while (position < bytes.length && bytes[position] >= '0' && bytes[position] <= '9') {
        length = length * 10 + (bytes[position++] - '0');
        if (length > bytes.length) {
          throw error("a length-prefixed string is longer than the whole S-expression");
        }
      }
      if (position >= bytes.length || bytes[position] != ':') {
        throw error("expected ':' after the length of a string");
      }
      position++;
      if (position + length > bytes.length) {
        throw error("the S-expression ends inside a length-prefixed string");
      }
      byte[] value = Arrays.copyOfRange(bytes, position, position + (int) length);
      position += (int) length;
      return value;
    }

    private void skipSpace() {
      while (position < bytes.length && Character.isWhitespace(bytes[position])) {
        position++;
      }
    }

    private ArchiveException error(String problem) {
      return new ArchiveException(
          "malformed S-expression at byte " + Math.min(position, bytes.length) + ": " + problem);
    }
  }
}
