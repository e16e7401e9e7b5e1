package dev.bale.nar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A NAR built string by string, so that tests can make archives no writer would. On the wire a NAR
 * is the magic followed by strings only (tokens, names, targets and file contents alike), each a
 * little-endian u64 length, the bytes and zero padding to 8 bytes.
 */
final class NarBytes {
  private final List<byte[]> strings = new ArrayList<>();

  /** Starts an archive with the magic. */
  static NarBytes nar() {
    return new NarBytes().add(NarFormat.MAGIC);
  }

  /** Starts a sequence of strings without the magic. */
  static NarBytes strings() {
    return new NarBytes();
  }

  NarBytes add(String... texts) {
    for (String text : texts) {
      strings.add(text.getBytes(StandardCharsets.UTF_8));
    }
    return this;
  }

  NarBytes add(byte[] bytes) {
    strings.add(bytes.clone());
    return this;
  }

  NarBytes add(NarBytes more) {
    strings.addAll(more.strings);
    return this;
  }

  NarBytes file(String contents) {
    return add("(", "type", "regular", "contents", contents, ")");
  }

  NarBytes executable(String contents) {
    return add("(", "type", "regular", "executable", "", "contents", contents, ")");
  }

  NarBytes symlink(String target) {
    return add("(", "type", "symlink", "target", target, ")");
  }

  /** Opens an entry up to its node, which the caller adds before {@link #end}. */
  NarBytes entry(String name) {
    return entry(name.getBytes(StandardCharsets.UTF_8));
  }

  NarBytes entry(byte[] name) {
    return add("entry", "(", "name").add(name).add("node");
  }

  /** Closes an entry or a directory. */
  NarBytes end() {
    return add(")");
  }

  List<byte[]> list() {
    return List.copyOf(strings);
  }

  byte[] bytes() {
    return encode(strings);
  }

  static byte[] encode(List<byte[]> strings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] string : strings) {
      long length = string.length;
      for (int i = 0; i < 8; i++) {
        out.write((int) (length >>> (8 * i)));
      }
      out.writeBytes(string);
      out.writeBytes(new byte[(int) (-length & 7)]);
    }
    return out.toByteArray();
  }

  /** Returns the offsets of every padding byte in the encoding of {@code strings}. */
  static List<Integer> paddingOffsets(List<byte[]> strings) {
    List<Integer> offsets = new ArrayList<>();
    int offset = 0;
    for (byte[] string : strings) {
      offset += 8 + string.length;
      int padding = -string.length & 7;
      for (int i = 0; i < padding; i++) {
        offsets.add(offset++);
      }
    }
    return offsets;
  }

  /** Returns a u64 in the wire encoding, for archives that claim impossible lengths. */
  static byte[] u64(long value) {
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (value >>> (8 * i));
    }
    return bytes;
  }
}
