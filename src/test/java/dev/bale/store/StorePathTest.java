package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorePathTest {
  private static final String STORE = "/gnu/store";
  private static final String HASH = "4sqps8dczv3g7rwbdibb6nb8rd43l1a6";

  @Test
  void parse_validPath_givesItsParts() {
    StorePath path = StorePath.parse(STORE, STORE + "/" + HASH + "-hello-2.12");

    assertThat(path.directory()).isEqualTo(STORE);
    assertThat(path.hash()).isEqualTo(HASH);
    assertThat(path.name()).isEqualTo("hello-2.12");
    assertThat(path.baseName()).isEqualTo(HASH + "-hello-2.12");
    assertThat(path).hasToString(STORE + "/" + HASH + "-hello-2.12");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "hello-2.12",
        "x+y=z_1.0?",
        "with.inner.dots.",
        "-leading-dash",
        "ALL-CAPS-0123456789",
      })
  void parse_validNames_areAccepted(String name) {
    StorePath path = StorePath.parse(STORE, STORE + "/" + HASH + "-" + name);

    assertThat(path.name()).isEqualTo(name);
  }

  @Test
  void parse_nameOf211Characters_isAccepted() {
    String name = "n".repeat(211);

    assertThat(StorePath.parse(STORE, STORE + "/" + HASH + "-" + name).name()).isEqualTo(name);
  }

  @Test
  void parse_everyAlphabetCharacterInHash_isAccepted() {
    String hash = "0123456789abcdfghijklmnpqrsvwxyz";

    assertThat(StorePath.parse(STORE, STORE + "/" + hash + "-x").hash()).isEqualTo(hash);
  }

  @ParameterizedTest
  @ValueSource(chars = {'e', 'o', 'u', 't', 'A', '_'})
  void parse_hashCharacterOutsideAlphabet_isRejectedNamingTheHash(char character) {
    String hash = HASH.substring(0, 31) + character;

    assertThatThrownBy(() -> StorePath.parse(STORE, STORE + "/" + hash + "-hello"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + hash + "' is not a store path hash (32 Nix base32 characters)");
  }

  @ParameterizedTest
  @ValueSource(ints = {31, 33})
  void parse_hashOfWrongLength_isRejected(int length) {
    String baseName = "a".repeat(length) + "-hello";

    assertThatThrownBy(() -> StorePath.parse(STORE, STORE + "/" + baseName))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + baseName + "' is not of the form HASH-NAME");
  }

  @ParameterizedTest
  @ValueSource(ints = {31, 33})
  void constructor_hashOfWrongLength_isRejected(int length) {
    String hash = "a".repeat(length);

    assertThatThrownBy(() -> new StorePath(STORE, hash, "hello"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + hash + "' is not a store path hash (32 Nix base32 characters)");
  }

  @ParameterizedTest
  @ValueSource(strings = {".hidden", "..", "a/b", "sub/", "with space", "caf\u00e9", "a:b"})
  void parse_invalidName_isRejectedNamingIt(String name) {
    assertThatThrownBy(() -> StorePath.parse(STORE, STORE + "/" + HASH + "-" + name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'"
                + name
                + "' is not a valid store item name (1 to 211 of A-Z a-z 0-9 + - . _ ? =,"
                + " not starting with a dot)");
  }

  @Test
  void parse_nameOver211Characters_isRejected() {
    String name = "n".repeat(212);

    assertThatThrownBy(() -> StorePath.parse(STORE, STORE + "/" + HASH + "-" + name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'" + name + "' is not a valid store item name (1 to 211 of");
  }

  @Test
  void parse_emptyName_isRejected() {
    assertThatThrownBy(() -> StorePath.parse(STORE, STORE + "/" + HASH + "-"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + HASH + "-' is not of the form HASH-NAME");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nix/store/", "/gnu/store2/", "/gnu/", "gnu/store/", "/gnu/stor/"})
  void parse_pathOutsideTheStoreDirectory_isRejectedNamingBoth(String prefix) {
    String text = prefix + HASH + "-hello";

    assertThatThrownBy(() -> StorePath.parse(STORE, text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'")
        .hasMessageContaining(STORE);
  }

  @Test
  void parse_pathInAnotherStoreDirectory_saysWhichDirectoryWasExpected() {
    String text = "/nix/store/" + HASH + "-hello";

    assertThatThrownBy(() -> StorePath.parse(STORE, text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'" + text + "' is not in the store directory '/gnu/store'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gnu/store", "/gnu/store/", "/gnu//store", ""})
  void constructor_badStoreDirectory_isRejected(String directory) {
    assertThatThrownBy(() -> new StorePath(directory, HASH, "hello"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "store directory '" + directory + "' must be absolute, without a trailing slash");
  }

  @Test
  void compareTo_ordersByFullText() {
    StorePath a = StorePath.parse(STORE, STORE + "/0" + HASH.substring(1) + "-z");
    StorePath b = StorePath.parse(STORE, STORE + "/1" + HASH.substring(1) + "-a");

    assertThat(a).isLessThan(b);
    assertThat(b.compareTo(a)).isPositive();
  }
}
