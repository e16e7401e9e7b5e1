package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ItemQueryTest {
  @TempDir Path dir;
  LocalStore store;
  StorePath hello;
  StorePath helloWorld;
  StorePath guile1;
  StorePath guile2;

  @BeforeEach
  void fill() throws Exception {
    store = Stores.openLocal("local?root=" + dir.resolve("root"));
    hello = add("hello-2.12", "hello");
    helloWorld = add("hello-world-1", "hello world");
    guile1 = add("guile-3.0.9", "guile 3.0.9");
    guile2 = add("guile-2.2.7", "guile 2.2.7");
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private StorePath add(String name, String content) throws Exception {
    return store.add(Files.writeString(dir.resolve(name), content), name);
  }

  @Test
  void resolve_fullPathBaseNameHashAndFileInside_giveTheItem() throws Exception {
    assertThat(store.resolve(hello.toString())).isEqualTo(hello);
    assertThat(store.resolve(hello + "/bin/hello")).isEqualTo(hello);
    assertThat(store.resolve(hello.baseName())).isEqualTo(hello);
    assertThat(store.resolve(hello.hash())).isEqualTo(hello);
  }

  @Test
  void resolve_packageName_matchesNameOrNameDashDigit() throws Exception {
    assertThat(store.resolve("hello")).isEqualTo(hello);
    assertThat(store.resolve("hello-2.12")).isEqualTo(hello);
    assertThat(store.resolve("hello-world")).isEqualTo(helloWorld);
    assertThat(store.resolve("guile-3.0.9")).isEqualTo(guile1);
    assertThatThrownBy(() -> store.resolve("guile-3")).isInstanceOf(StoreException.class);
  }

  @Test
  void resolve_packageWithDerivation_meansTheOutput() throws Exception {
    StorePath derivation = add("hello-2.12.drv", "Derive(...)");

    assertThat(store.resolve("hello")).isEqualTo(hello);
    assertThat(store.resolve("hello-2.12")).isEqualTo(hello);
    assertThat(store.resolve("hello-2.12.drv")).isEqualTo(derivation);
  }

  @Test
  void resolve_severalMatches_listsCandidates() {
    assertThatThrownBy(() -> store.resolve("guile"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'guile' matches 2 items of store")
        .hasMessageContaining(guile1.toString())
        .hasMessageContaining(guile2.toString())
        .hasMessageEndingWith("; give the full store path");
  }

  @ParameterizedTest
  @CsvSource({
    "hell, no valid item of store",
    "/gnu/store/00000000000000000000000000000000-hello, is not a valid item of store",
    "00000000000000000000000000000000-hello, is not a valid item of store",
    "/nix/store/00000000000000000000000000000000-hello, is not in the store directory '/gnu/store'",
    "/gnu/store/hello, is not a store path",
  })
  void resolve_unknownItem_failsNamingIt(String item, String message) {
    assertThatThrownBy(() -> store.resolve(item))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(message);
  }

  @Test
  void matchesPackage_requiresDigitAfterDash() {
    assertThat(ItemQuery.matchesPackage("hello-2.12", "hello")).isTrue();
    assertThat(ItemQuery.matchesPackage("hello", "hello")).isTrue();
    assertThat(ItemQuery.matchesPackage("hello-world", "hello")).isFalse();
    assertThat(ItemQuery.matchesPackage("hellox-1", "hello")).isFalse();
    assertThat(ItemQuery.matchesPackage("hello-", "hello")).isFalse();
    assertThat(ItemQuery.matchesPackage("hello-2.12.drv", "hello")).isFalse();
    assertThat(ItemQuery.matchesPackage("hello-2.12.drv", "hello-2.12.drv")).isTrue();
    assertThat(ItemQuery.matchesPackage("hello-2.12.drv", "hello.drv")).isFalse();
  }
}
