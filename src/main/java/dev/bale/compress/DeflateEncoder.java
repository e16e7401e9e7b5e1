package dev.bale.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Compresses a piece of input into deflate blocks (RFC 1951), in Java, so that the bytes depend on
 * this class alone and not on the zlib a JDK was built with.
 *
 * <p>Matches of four bytes or more are found through hash chains over four-byte prefixes, searched
 * to a depth set by the level; matches of three bytes, which pay only when near, at the newest
 * position with the same three bytes within {@value #SHORT_MATCH_REACH} bytes. From level 4 up a
 * match gets one step of lazy evaluation: it is kept only when the match starting one byte later is
 * no longer. Every {@value #BLOCK_SYMBOLS} symbols, and at the end of the piece, the symbols so far
 * become one block, written in whichever of the three block types (dynamic codes, the fixed codes,
 * stored) is smallest, so no block is more than a few bytes larger than its input.
 *
 * <p>Level 6 writes output of the size zlib's level 6 writes, within a fraction of a percent, in
 * about 60% of its time: four-byte hashes make shorter chains of better candidates than zlib's
 * three-byte ones, so 32 candidates find what zlib finds in 128, and a search that stops at a match
 * of 64 bytes (zlib's goes on to 128) loses almost nothing.
 *
 * <p>The output is a function of the input, its history and the level alone. An instance holds
 * about 700 KiB of tables and is for one thread at a time.
 */
final class DeflateEncoder {
  /** The most history a piece can refer to; one less than deflate's 32 KiB (see the chains). */
  static final int HISTORY = 32 * 1024 - 1;

  private static final int MIN_MATCH = 3;

  /** Matches are found by their first four bytes; those of three only at the newest position. */
  private static final int HASHED_MATCH = 4;

  /** A three-byte match farther than this costs more bits than its three literals would. */
  private static final int SHORT_MATCH_REACH = 4096;

  private static final int SHORT_HASH_BITS = 16;
  private static final int MAX_MATCH = 258;
  private static final int BLOCK_SYMBOLS = 16 * 1024;
  private static final int HASH_BITS = 16;
  private static final int CHAIN_MASK = 32 * 1024 - 1;
  private static final int NO_POSITION = -65536;

  /** How far the offset of the heads may grow before they are cleared (see {@link #offsetEnd}). */
  private static final int OFFSET_LIMIT = 1 << 30;

  private static final int STORED = 0;
  private static final int FIXED = 1;
  private static final int DYNAMIC = 2;

  private static final int END_OF_BLOCK = 256;
  private static final int LITERAL_LENGTH_SYMBOLS = 286;
  private static final int DISTANCE_SYMBOLS = 30;
  private static final int CODE_LENGTH_SYMBOLS = 19;
  private static final int MAX_CODE_BITS = 15;
  private static final int MAX_CODE_LENGTH_BITS = 7;

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * How hard a level searches: lazy evaluation or not, the match length from which it searches a
   * quarter of the chain, the length from which it stops trying later starts, the length it accepts
   * at once, and the number of candidates it tries.
   */
  private record Effort(boolean lazy, int goodLength, int lazyLength, int niceLength, int chain) {}

  private static final Effort[] LEVELS = {
    null,
    new Effort(false, 0, 0, 16, 4),
    new Effort(false, 0, 0, 32, 8),
    new Effort(false, 0, 0, 64, 16),
    new Effort(true, 4, 8, 32, 8),
    new Effort(true, 8, 16, 64, 16),
    new Effort(true, 8, 16, 64, 32),
    new Effort(true, 8, 32, 128, 128),
    new Effort(true, 32, 128, 258, 512),
    new Effort(true, 32, 258, 258, 2048),
  };

  // The base and extra bits of each length symbol (257 on) and distance symbol (RFC 1951 3.2.5).
  private static final int[] LENGTH_BASE = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258
  };
  private static final int[] LENGTH_EXTRA = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
  };
  private static final int[] DISTANCE_BASE = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
    3073, 4097, 6145, 8193, 12289, 16385, 24577
  };
  private static final int[] DISTANCE_EXTRA = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13
  };

  /** The order in which the code-length code's lengths are written. */
  private static final int[] CODE_LENGTH_ORDER = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
  };

  /** For each match length, the index of its symbol in {@link #LENGTH_BASE}. */
  private static final byte[] LENGTH_INDEX = new byte[MAX_MATCH + 1];

  /** Distance symbols of distances 1 to 256, and of larger ones by (distance - 1) / 128. */
  private static final byte[] NEAR_DISTANCE_SYMBOL = new byte[256];

  private static final byte[] FAR_DISTANCE_SYMBOL = new byte[256];

  private static final byte[] FIXED_LITERAL_LENGTHS = new byte[288];
  private static final int[] FIXED_LITERAL_CODES = new int[288];
  private static final byte[] FIXED_DISTANCE_LENGTHS = new byte[DISTANCE_SYMBOLS];
  private static final int[] FIXED_DISTANCE_CODES = new int[DISTANCE_SYMBOLS];

  static {
    for (int index = 0; index < LENGTH_BASE.length - 1; index++) {
      int base = LENGTH_BASE[index];
      for (int length = base; length < base + (1 << LENGTH_EXTRA[index]); length++) {
        // 258 has a symbol of its own, though the one before could also spell it.
        if (length < MAX_MATCH) {
          LENGTH_INDEX[length] = (byte) index;
        }
      }
    }
    LENGTH_INDEX[MAX_MATCH] = (byte) (LENGTH_BASE.length - 1);

    for (int symbol = 0; symbol < DISTANCE_SYMBOLS; symbol++) {
      int base = DISTANCE_BASE[symbol];
      for (int distance = base; distance < base + (1 << DISTANCE_EXTRA[symbol]); distance++) {
        if (distance <= 256) {
          NEAR_DISTANCE_SYMBOL[distance - 1] = (byte) symbol;
        } else {
          FAR_DISTANCE_SYMBOL[(distance - 1) >> 7] = (byte) symbol;
        }
      }
    }

    Arrays.fill(FIXED_LITERAL_LENGTHS, 0, 144, (byte) 8);
    Arrays.fill(FIXED_LITERAL_LENGTHS, 144, 256, (byte) 9);
    Arrays.fill(FIXED_LITERAL_LENGTHS, 256, 280, (byte) 7);
    Arrays.fill(FIXED_LITERAL_LENGTHS, 280, 288, (byte) 8);
    HuffmanCode.codes(FIXED_LITERAL_LENGTHS, 288, FIXED_LITERAL_CODES);
    Arrays.fill(FIXED_DISTANCE_LENGTHS, (byte) 5);
    HuffmanCode.codes(FIXED_DISTANCE_LENGTHS, DISTANCE_SYMBOLS, FIXED_DISTANCE_CODES);
  }

  // The chains: the newest position of each hash (plus the piece's offset), and for each position
  // (modulo 32 KiB) the position before it with the same hash.
  private final int[] head = new int[1 << HASH_BITS];
  private final int[] previous = new int[CHAIN_MASK + 1];

  /** The newest position of each hash of three bytes, plus the piece's offset. */
  private final int[] shortHead = new int[1 << SHORT_HASH_BITS];

  /**
   * One more than the largest value the last piece could store in the heads, which hold positions
   * plus an offset of the piece's own. Each piece's offset lies 64 KiB beyond this, so what earlier
   * pieces left reads as a position at least 64 KiB before the window, too old to be a candidate,
   * as an empty head does; the heads (512 KiB) are cleared only when the offset has grown large,
   * not for every piece, which cost a twentieth of the encoder's time with pieces of 128 KiB. It
   * starts at the limit, so that the first piece clears them.
   */
  private int offsetEnd = OFFSET_LIMIT;

  /** A literal byte, or a match as its distance above bit 9 and its length below. */
  private final int[] symbols = new int[BLOCK_SYMBOLS];

  private int symbolCount;
  private final int[] literalLengthFrequencies = new int[LITERAL_LENGTH_SYMBOLS];
  private final int[] distanceFrequencies = new int[DISTANCE_SYMBOLS];

  private final HuffmanCode huffman = new HuffmanCode();
  private final byte[] literalLengthLengths = new byte[LITERAL_LENGTH_SYMBOLS];
  private final int[] literalLengthCodes = new int[LITERAL_LENGTH_SYMBOLS];
  private final byte[] distanceLengths = new byte[DISTANCE_SYMBOLS];
  private final int[] distanceCodes = new int[DISTANCE_SYMBOLS];

  // The dynamic header: the code lengths run-length coded (symbol, and repeat count above bit 8).
  private final byte[] codeLengths = new byte[LITERAL_LENGTH_SYMBOLS + DISTANCE_SYMBOLS];
  private final int[] codeLengthSymbols = new int[LITERAL_LENGTH_SYMBOLS + DISTANCE_SYMBOLS];
  private int codeLengthSymbolCount;
  private final int[] codeLengthFrequencies = new int[CODE_LENGTH_SYMBOLS];
  private final byte[] codeLengthLengths = new byte[CODE_LENGTH_SYMBOLS];
  private final int[] codeLengthCodes = new int[CODE_LENGTH_SYMBOLS];

  /** The piece being compressed, and where its current block starts. */
  private byte[] window;

  private int blockStart;

  /**
   * Appends to {@code out} the deflate blocks of {@code window[start, end)}, which may refer to the
   * {@value #HISTORY} bytes before {@code start}. When {@code last}, the final block ends the
   * deflate stream and {@code out} is padded to a byte; otherwise an empty stored block follows (a
   * sync flush), so that the next piece's blocks can be appended at a byte boundary.
   */
  void encode(byte[] window, int start, int end, int level, boolean last, BitWriter out) {
    if (level < 0 || level >= LEVELS.length) {
      throw new IllegalArgumentException("deflate level must be 0 to 9, not " + level);
    }
    this.window = window;
    blockStart = start;
    clearBlock();

    if (level == 0) {
      writeStored(out, last, start, end);
    } else {
      findSymbols(start, end, LEVELS[level], out);
      if (last || symbolCount > 0) {
        writeBlock(out, last, end);
      }
    }

    if (last) {
      out.alignToByte();
    } else {
      out.reserve(8);
      out.write(0, 3);
      out.alignToByte();
      out.write(0xffff0000, 32);
    }
    this.window = null;
  }

  /**
   * Finds the symbols of {@code window[start, end)} and writes them as blocks as they fill.
   *
   * <p>Each position gets one search of its chain. Lazy evaluation holds the match found at {@code
   * position - 1} back until the search at {@code position} has shown that no longer one starts
   * there. The search is written out in the loop rather than called: compiled on its own it is too
   * large for the JIT to inline here, and the loop then runs a sixth slower.
   */
  private void findSymbols(int start, int end, Effort effort, BitWriter out) {
    byte[] window = this.window;
    int[] head = this.head;
    int[] previous = this.previous;
    int[] shortHead = this.shortHead;
    int offset = nextOffset(end);
    // Positions before this one have 4 bytes to hash.
    int hashEnd = end - (HASHED_MATCH - 1);
    int inserted = Math.max(0, start - HISTORY);
    int heldLength = 0;
    int heldDistance = 0;
    int position = start;

    while (position < end) {
      int length = 0;
      int distance = 0;
      if (position < hashEnd && (heldLength == 0 || heldLength < effort.lazyLength)) {
        for (; inserted < position; inserted++) {
          insert(window, inserted, offset);
        }
        inserted = position + 1;

        int word = (int) INT.get(window, position);
        int hash = (word * 0x9E3779B1) >>> (32 - HASH_BITS);
        int candidate = head[hash] - offset;
        previous[position & CHAIN_MASK] = candidate;
        head[hash] = position + offset;
        int shortHash = ((word << 8) * 0x9E3779B1) >>> (32 - SHORT_HASH_BITS);
        int shortCandidate = shortHead[shortHash] - offset;
        shortHead[shortHash] = position + offset;

        // Only a match longer than the one held counts.
        int atLeast = heldLength != 0 ? heldLength : MIN_MATCH - 1;
        int chain =
            heldLength != 0 && heldLength >= effort.goodLength ? effort.chain >> 2 : effort.chain;
        int maxLength = Math.min(MAX_MATCH, end - position);
        int nice = Math.min(effort.niceLength, maxLength);
        int best = atLeast;
        // A candidate's link is overwritten 32 KiB after it, so older ones are never followed.
        int oldest = position - HISTORY;
        while (best < maxLength && candidate >= oldest && chain-- > 0) {
          // A candidate can beat the best only if it also matches at the best's last byte; the
          // four bytes that end there turn away more candidates than that byte alone, for one
          // load each (a twentieth of the encoder's time). The matches found stay the same.
          boolean mayBeLonger =
              best >= HASHED_MATCH - 1
                  ? (int) INT.get(window, candidate + best - (HASHED_MATCH - 1))
                      == (int) INT.get(window, position + best - (HASHED_MATCH - 1))
                  : window[candidate + best] == window[position + best];
          if (mayBeLonger && (int) INT.get(window, candidate) == word) {
            int found =
                HASHED_MATCH
                    + commonLength(
                        window,
                        candidate + HASHED_MATCH,
                        position + HASHED_MATCH,
                        maxLength - HASHED_MATCH);
            if (found > best) {
              best = found;
              distance = position - candidate;
              if (found >= nice) {
                break;
              }
            }
          }
          candidate = previous[candidate & CHAIN_MASK];
        }
        if (best < MIN_MATCH
            && shortCandidate >= position - SHORT_MATCH_REACH
            && ((int) INT.get(window, shortCandidate) << 8) == word << 8) {
          best = MIN_MATCH;
          distance = position - shortCandidate;
        }
        length = best > atLeast ? best : 0;
      }

      if (heldLength != 0) {
        if (length == 0) {
          addMatch(out, heldLength, heldDistance, position - 1 + heldLength);
          position += heldLength - 1;
          heldLength = 0;
          continue;
        }
        // A longer match starts here: the byte before it goes as a literal.
        addLiteral(out, window[position - 1], position);
      }

      if (length == 0) {
        addLiteral(out, window[position], position + 1);
        position++;
      } else if (effort.lazy) {
        heldLength = length;
        heldDistance = distance;
        position++;
      } else {
        addMatch(out, length, distance, position + length);
        position += length;
      }
    }
  }

  /**
   * Returns the offset of a piece that ends at {@code end}, and clears the heads first when that
   * offset would grow past {@link #OFFSET_LIMIT}: an empty head, {@link #NO_POSITION} minus an
   * offset, then still reads as a position long before the window, and no sum overflows.
   */
  private int nextOffset(int end) {
    int offset;
    if ((long) offsetEnd + 65536 + end > OFFSET_LIMIT) {
      Arrays.fill(head, NO_POSITION);
      Arrays.fill(shortHead, NO_POSITION);
      offset = 0;
    } else {
      offset = offsetEnd + 65536;
    }
    offsetEnd = offset + end;
    return offset;
  }

  private void insert(byte[] window, int position, int offset) {
    int word = (int) INT.get(window, position);
    int hash = (word * 0x9E3779B1) >>> (32 - HASH_BITS);
    previous[position & CHAIN_MASK] = head[hash] - offset;
    head[hash] = position + offset;
    shortHead[((word << 8) * 0x9E3779B1) >>> (32 - SHORT_HASH_BITS)] = position + offset;
  }

  /** Returns how many of the {@code max} bytes from {@code a} and from {@code b} are equal. */
  private static int commonLength(byte[] window, int a, int b, int max) {
    int length = 0;
    while (length + 8 <= max) {
      long difference = (long) LONG.get(window, a + length) ^ (long) LONG.get(window, b + length);
      if (difference != 0) {
        return length + (Long.numberOfTrailingZeros(difference) >>> 3);
      }
      length += 8;
    }
    while (length < max && window[a + length] == window[b + length]) {
      length++;
    }
    return length;
  }

  private void addLiteral(BitWriter out, byte literal, int inputEnd) {
    int value = literal & 0xff;
    symbols[symbolCount++] = value;
    literalLengthFrequencies[value]++;
    if (symbolCount == BLOCK_SYMBOLS) {
      writeBlock(out, false, inputEnd);
    }
  }

  private void addMatch(BitWriter out, int length, int distance, int inputEnd) {
    symbols[symbolCount++] = (distance << 9) | length;
    literalLengthFrequencies[257 + LENGTH_INDEX[length]]++;
    distanceFrequencies[distanceSymbol(distance)]++;
    if (symbolCount == BLOCK_SYMBOLS) {
      writeBlock(out, false, inputEnd);
    }
  }

  private static int distanceSymbol(int distance) {
    return distance <= 256
        ? NEAR_DISTANCE_SYMBOL[distance - 1]
        : FAR_DISTANCE_SYMBOL[(distance - 1) >> 7];
  }

  /** Writes the symbols gathered as one block, for the input up to {@code inputEnd}. */
  private void writeBlock(BitWriter out, boolean last, int inputEnd) {
    literalLengthFrequencies[END_OF_BLOCK]++;
    int type = chooseBlockType(inputEnd - blockStart);

    out.reserve(storedSize(inputEnd - blockStart) + 16);
    if (type == STORED) {
      writeStored(out, last, blockStart, inputEnd);
    } else {
      // One call of writeSymbols for both kinds of codes keeps the compiled code small.
      boolean fixed = type == FIXED;
      out.write((last ? 1 : 0) | (fixed ? 2 : 4), 3);
      if (!fixed) {
        writeDynamicHeader(out);
        HuffmanCode.codes(literalLengthLengths, LITERAL_LENGTH_SYMBOLS, literalLengthCodes);
        HuffmanCode.codes(distanceLengths, DISTANCE_SYMBOLS, distanceCodes);
      }
      writeSymbols(
          out,
          fixed ? FIXED_LITERAL_CODES : literalLengthCodes,
          fixed ? FIXED_LITERAL_LENGTHS : literalLengthLengths,
          fixed ? FIXED_DISTANCE_CODES : distanceCodes,
          fixed ? FIXED_DISTANCE_LENGTHS : distanceLengths);
    }

    blockStart = inputEnd;
    clearBlock();
  }

  /**
   * Builds the dynamic codes of the block and returns the type ({@link #STORED}, {@link #FIXED} or
   * {@link #DYNAMIC}) that writes its symbols, standing for {@code inputLength} bytes, smallest.
   */
  private int chooseBlockType(int inputLength) {
    long extraBits = 0;
    for (int index = 0; index < LENGTH_EXTRA.length; index++) {
      extraBits += (long) literalLengthFrequencies[257 + index] * LENGTH_EXTRA[index];
    }
    for (int symbol = 0; symbol < DISTANCE_SYMBOLS; symbol++) {
      extraBits += (long) distanceFrequencies[symbol] * DISTANCE_EXTRA[symbol];
    }

    long dynamicBits = 3 + buildDynamicCodes() + extraBits;
    dynamicBits += cost(literalLengthFrequencies, literalLengthLengths, LITERAL_LENGTH_SYMBOLS);
    dynamicBits += cost(distanceFrequencies, distanceLengths, DISTANCE_SYMBOLS);
    long fixedBits = 3 + extraBits;
    fixedBits += cost(literalLengthFrequencies, FIXED_LITERAL_LENGTHS, LITERAL_LENGTH_SYMBOLS);
    fixedBits += cost(distanceFrequencies, FIXED_DISTANCE_LENGTHS, DISTANCE_SYMBOLS);
    long storedBits = 8L * storedSize(inputLength) + 7;

    if (storedBits < Math.min(dynamicBits, fixedBits)) {
      return STORED;
    }
    return fixedBits <= dynamicBits ? FIXED : DYNAMIC;
  }

  private void clearBlock() {
    symbolCount = 0;
    Arrays.fill(literalLengthFrequencies, 0);
    Arrays.fill(distanceFrequencies, 0);
  }

  private static long cost(int[] frequencies, byte[] lengths, int count) {
    long bits = 0;
    for (int symbol = 0; symbol < count; symbol++) {
      bits += (long) frequencies[symbol] * lengths[symbol];
    }
    return bits;
  }

  /** Returns the bytes of {@code length} input bytes as stored blocks, headers included. */
  private static int storedSize(int length) {
    int blocks = Math.max(1, (length + 65534) / 65535);
    return length + 5 * blocks;
  }

  /** Writes {@code window[from, to)} as stored blocks of at most 65,535 bytes. */
  private void writeStored(BitWriter out, boolean last, int from, int to) {
    out.reserve(storedSize(to - from) + 16);
    do {
      int length = Math.min(to - from, 65535);
      out.write(last && from + length == to ? 1 : 0, 3);
      out.alignToByte();
      out.write(length | (~length << 16), 32);
      out.writeBytes(window, from, length);
      from += length;
    } while (from < to);
  }

  /**
   * Sets the dynamic codes for the block's frequencies and run-length codes their lengths; returns
   * the size of the header that describes them, in bits.
   */
  private long buildDynamicCodes() {
    huffman.lengths(
        literalLengthFrequencies, LITERAL_LENGTH_SYMBOLS, MAX_CODE_BITS, literalLengthLengths);
    huffman.lengths(distanceFrequencies, DISTANCE_SYMBOLS, MAX_CODE_BITS, distanceLengths);
    if (lastUsed(distanceLengths) < 0) {
      // A block of literals alone: some decoders want a distance code anyway.
      distanceLengths[0] = 1;
      distanceLengths[1] = 1;
    }

    int literalCount = Math.max(257, lastUsed(literalLengthLengths) + 1);
    int distanceCount = Math.max(1, lastUsed(distanceLengths) + 1);
    System.arraycopy(literalLengthLengths, 0, codeLengths, 0, literalCount);
    System.arraycopy(distanceLengths, 0, codeLengths, literalCount, distanceCount);
    runLengthCode(literalCount + distanceCount);

    huffman.lengths(
        codeLengthFrequencies, CODE_LENGTH_SYMBOLS, MAX_CODE_LENGTH_BITS, codeLengthLengths);
    long bits = 5 + 5 + 4 + 3L * codeLengthCodeCount();
    for (int i = 0; i < codeLengthSymbolCount; i++) {
      int symbol = codeLengthSymbols[i] & 0xff;
      bits += codeLengthLengths[symbol] + repeatBits(symbol);
    }
    return bits;
  }

  private static int lastUsed(byte[] lengths) {
    int last = lengths.length - 1;
    while (last >= 0 && lengths[last] == 0) {
      last--;
    }
    return last;
  }

  /** Run-length codes {@code codeLengths[0, count)} with symbols 16 (repeat), 17 and 18 (zeros). */
  private void runLengthCode(int count) {
    codeLengthSymbolCount = 0;
    Arrays.fill(codeLengthFrequencies, 0);
    int i = 0;
    while (i < count) {
      int length = codeLengths[i];
      int run = 1;
      while (i + run < count && codeLengths[i + run] == length) {
        run++;
      }
      i += run;

      if (length == 0) {
        while (run >= 11) {
          int repeat = Math.min(run, 138);
          addCodeLengthSymbol(18, repeat - 11);
          run -= repeat;
        }
        if (run >= 3) {
          addCodeLengthSymbol(17, run - 3);
          run = 0;
        }
      } else {
        addCodeLengthSymbol(length, 0);
        run--;
        while (run >= 3) {
          int repeat = Math.min(run, 6);
          addCodeLengthSymbol(16, repeat - 3);
          run -= repeat;
        }
      }
      for (; run > 0; run--) {
        addCodeLengthSymbol(length, 0);
      }
    }
  }

  private void addCodeLengthSymbol(int symbol, int repeat) {
    codeLengthSymbols[codeLengthSymbolCount++] = symbol | (repeat << 8);
    codeLengthFrequencies[symbol]++;
  }

  private static int repeatBits(int symbol) {
    return symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0;
  }

  private int codeLengthCodeCount() {
    int count = CODE_LENGTH_SYMBOLS;
    while (count > 4 && codeLengthLengths[CODE_LENGTH_ORDER[count - 1]] == 0) {
      count--;
    }
    return count;
  }

  private void writeDynamicHeader(BitWriter out) {
    int literalCount = Math.max(257, lastUsed(literalLengthLengths) + 1);
    int distanceCount = Math.max(1, lastUsed(distanceLengths) + 1);
    int codeLengthCount = codeLengthCodeCount();
    out.write(literalCount - 257, 5);
    out.write(distanceCount - 1, 5);
    out.write(codeLengthCount - 4, 4);
    for (int i = 0; i < codeLengthCount; i++) {
      out.write(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
    }

    HuffmanCode.codes(codeLengthLengths, CODE_LENGTH_SYMBOLS, codeLengthCodes);
    for (int i = 0; i < codeLengthSymbolCount; i++) {
      int symbol = codeLengthSymbols[i] & 0xff;
      out.write(codeLengthCodes[symbol], codeLengthLengths[symbol]);
      int bits = repeatBits(symbol);
      if (bits != 0) {
        out.write(codeLengthSymbols[i] >>> 8, bits);
      }
    }
  }

  private void writeSymbols(
      BitWriter out,
      int[] literalCodes,
      byte[] literalLengths,
      int[] distanceCodes,
      byte[] distanceLengths) {
    int[] symbols = this.symbols;
    for (int i = 0; i < symbolCount; i++) {
      int symbol = symbols[i];
      int distance = symbol >>> 9;
      if (distance == 0) {
        out.write(literalCodes[symbol], literalLengths[symbol]);
        continue;
      }

      int length = symbol & 0x1ff;
      int index = LENGTH_INDEX[length];
      int code = 257 + index;
      int codeLength = literalLengths[code];
      out.write(
          literalCodes[code] | ((length - LENGTH_BASE[index]) << codeLength),
          codeLength + LENGTH_EXTRA[index]);
      int distanceSymbol = distanceSymbol(distance);
      int distanceLength = distanceLengths[distanceSymbol];
      out.write(
          distanceCodes[distanceSymbol]
              | ((distance - DISTANCE_BASE[distanceSymbol]) << distanceLength),
          distanceLength + DISTANCE_EXTRA[distanceSymbol]);
    }
    out.write(literalCodes[END_OF_BLOCK], literalLengths[END_OF_BLOCK]);
  }
}
