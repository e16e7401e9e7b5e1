package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SexpTest {
  private static Sexp.Group parse(String text) throws ArchiveException {
    return Sexp.parse(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void parse_everyAtomForm_givesTheSameBytes() throws Exception {
    Sexp.Group sexp = parse("(a \"ab\" #6162# |YWI=| 2:ab ab)");

    assertThat(sexp.elements())
        .containsExactly(
            Sexp.atom("a"),
            Sexp.atom("ab"),
            Sexp.atom("ab"),
            Sexp.atom("ab"),
            Sexp.atom("ab"),
            Sexp.atom("ab"));
  }

  @Test
  void parse_libgcryptLayout_isReadAsTheOneLineForm() throws Exception {
    String layout = "(public-key \n (ecc \n  (curve Ed25519)\n  (q #0A0B#)\n  )\n )\n";

    assertThat(parse(layout).toString()).isEqualTo("(public-key (ecc (curve Ed25519) (q #0A0B#)))");
  }

  @Test
  void toString_binaryAndTokens_readsBackEqual() throws Exception {
    Sexp.Group sexp =
        Sexp.list("x", new Sexp.Atom(new byte[] {0, (byte) 0xff, 10}), Sexp.list("sha256", ""));

    assertThat(sexp.toString()).isEqualTo("(x #00FF0A# (sha256 ##))");
    assertThat(parse(sexp.toString())).isEqualTo(sexp);
  }

  @Test
  void parse_quotedEscapes_areDecoded() throws Exception {
    assertThat(parse("(\"a\\\"b\\n\")").elements()).containsExactly(Sexp.atom("a\"b\n"));
  }

  @Test
  void parse_malformed_saysWhereAndWhat() {
    assertThatThrownBy(() -> parse("")).hasMessageContaining("expected '(' to start");
    assertThatThrownBy(() -> parse("(a (b)"))
        .hasMessage("malformed S-expression at byte 6: the S-expression ends before its ')'");
    assertThatThrownBy(() -> parse("(a) b")).hasMessageContaining("unexpected data after");
    assertThatThrownBy(() -> parse("(q #ABC#)")).hasMessageContaining("hexadecimal digits");
    assertThatThrownBy(() -> parse("(q #AB)")).hasMessageContaining("no closing '#'");
    assertThatThrownBy(() -> parse("(q |!!|)")).hasMessageContaining("is not Base64");
    assertThatThrownBy(() -> parse("(q 5:ab)")).hasMessageContaining("ends inside");
    assertThatThrownBy(() -> parse("(q 99:ab)")).hasMessageContaining("longer than the whole");
    assertThatThrownBy(() -> parse("(q 2ab)")).hasMessageContaining("expected ':'");
    assertThatThrownBy(() -> parse("(q [x]y)")).hasMessageContaining("unexpected character '['");
    assertThatThrownBy(() -> parse("(q \"ab)")).hasMessageContaining("no closing '\"'");
    assertThatThrownBy(() -> parse("(".repeat(40) + ")".repeat(40)))
        .hasMessageContaining("nest deeper than 32");
  }
}
