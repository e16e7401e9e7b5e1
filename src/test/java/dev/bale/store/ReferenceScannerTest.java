package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ReferenceScannerTest {
  private static final StorePath LIB =
      StorePath.parse("/gnu/store", "/gnu/store/4sqps8dczv3g7rwbdibb6nb8rd43l1a6-lib-1.0");
  private static final StorePath DATA =
      StorePath.parse("/gnu/store", "/gnu/store/0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaz-data");
  private static final StorePath OTHER =
      StorePath.parse("/gnu/store", "/gnu/store/0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaay-other");

  private static ReferenceScanner scan(String text, int chunk) {
    ReferenceScanner scanner = new ReferenceScanner(List.of(LIB, DATA, OTHER));
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunk) {
      scanner.write(bytes, i, Math.min(chunk, bytes.length - i));
    }
    return scanner;
  }

  @Test
  void references_hashesAnywhere_areFound() {
    String text = "x=" + LIB + "/lib\0" + DATA.hash() + "\nnothing else";

    assertThat(scan(text, 1 << 16).references()).containsExactly(DATA, LIB);
  }

  @Test
  void references_hashSplitAcrossWrites_isFound() {
    String text = "....." + LIB.hash() + ".....";

    for (int chunk = 1; chunk < 40; chunk++) {
      assertThat(scan(text, chunk).references()).as("chunk %d", chunk).containsExactly(LIB);
    }
  }

  @Test
  void references_hashInsideLongerBase32Run_isFound() {
    String text = "abcd0123" + LIB.hash() + "zzzz";

    assertThat(scan(text, 7).references()).containsExactly(LIB);
  }

  @Test
  void references_nearMissesAndNonBase32Letters_areNotFound() {
    String truncated = LIB.hash().substring(1);
    String broken = LIB.hash().substring(0, 16) + "e" + LIB.hash().substring(17);

    assertThat(scan(truncated + " " + broken + " " + LIB.hash().toUpperCase(), 5).references())
        .isEmpty();
  }

  @Test
  void references_noCandidates_findsNothing() {
    ReferenceScanner scanner = new ReferenceScanner(List.of());
    scanner.write(LIB.hash().getBytes(StandardCharsets.US_ASCII), 0, 32);

    assertThat(scanner.references()).isEmpty();
  }

  @Property(tries = 200)
  void references_randomSurroundingsAndChunks_findExactlyTheEmbeddedHash(
      @ForAll @StringLength(max = 80) String before,
      @ForAll @StringLength(max = 80) String after,
      @ForAll @IntRange(min = 1, max = 50) int chunk) {
    assertThat(scan(before + OTHER.hash() + after, chunk).references()).contains(OTHER);
    assertThat(scan(before + after, chunk).references())
        .isEqualTo(scan(before + after, 1 << 16).references());
  }

  @Property(tries = 300)
  void references_longBase32Runs_findWhatANaiveSearchFinds(
      @ForAll @StringLength(max = 300) @CharRange(from = 'a', to = 'd') String letters,
      @ForAll @IntRange(min = 0, max = 300) int at,
      @ForAll @IntRange(min = 1, max = 70) int chunk) {
    // Runs of base32 letters longer than a hash, with candidate hashes spliced in at any offset.
    String spliced = letters.substring(0, Math.min(at, letters.length())) + LIB.hash() + letters;
    String text = spliced + DATA.hash().substring(0, 31) + OTHER.hash() + spliced;

    List<StorePath> naive =
        List.of(LIB, DATA, OTHER).stream().filter(p -> text.contains(p.hash())).sorted().toList();
    assertThat(scan(text, chunk).references()).containsExactlyElementsOf(naive);
  }
}
