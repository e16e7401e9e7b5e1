package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  /** The reference: what Jackson's ObjectMapper reads and writes. */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "[]",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}",
        "{ \"b\" : 1, \"a\" : [ true, false, null, \"x\" ], \"c\" : { \"d\" : { } } }",
        "{\"size\":9223372036854775807,\"small\":-5,\"int\":2147483648}",
        "{\"huge\":123456789012345678901234567890,\"float\":1.5e300,\"neg\":-0.25}",
        "{\"text\":\"tab\\t quote\\\" backslash\\\\ control\\u0001 é 😀 \\u2028\"}",
        "{\"dup\":1,\"dup\":2,\"other\":[{\"dup\":[]},{}]}",
        "\"a lone string\"",
        "42",
        "null"
      })
  void writeOfRead_givesTheBytesOfObjectMapper(String document) throws IOException {
    byte[] json = document.getBytes(StandardCharsets.UTF_8);

    byte[] ours = Json.write(Json.read(json));

    assertThat(new String(ours, StandardCharsets.UTF_8))
        .isEqualTo(
            new String(MAPPER.writeValueAsBytes(MAPPER.readTree(json)), StandardCharsets.UTF_8));
    assertThat(Json.read(json)).isEqualTo(MAPPER.readTree(json));
  }

  @Test
  void write_treeBuiltInCode_givesTheBytesOfObjectMapper() throws IOException {
    var root = Json.object();
    root.put("schemaVersion", 2);
    root.put("size", 1L << 40);
    root.put("ratio", 0.5);
    root.putArray("layers").add(Json.object().put("digest", "sha256:00")).add("ü");
    root.putObject("empty");
    root.putNull("nothing");

    assertThat(Json.write(root)).isEqualTo(MAPPER.writeValueAsBytes(root));
  }

  @Test
  void read_blank_isMissing() throws IOException {
    assertThat(Json.read(" \n".getBytes(StandardCharsets.UTF_8)).isMissingNode()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "{\"a\":", "[1,", "{\"a\" 1}", "[1}", "nul", "{\"a\":1,}x"})
  void read_notJson_failsWithIOException(String document) {
    assertThatThrownBy(() -> Json.read(document.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void read_notJson_saysWhatAndWhereWithoutJacksonsSourceClause() {
    assertThatThrownBy(() -> Json.read("{\"a\": [1,\n garbage]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageStartingWith("Unrecognized token 'garbage'")
        .hasMessageEndingWith("(line 2, column 2)")
        .hasMessageNotContaining("Source");
    assertThatThrownBy(() -> Json.read("{\"manifests\": [".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("(start marker at line 1, column 15)")
        .hasMessageNotContaining("Source");
  }

  @Test
  void read_hostileNesting_failsWithIOExceptionNotStackOverflow() {
    byte[] deep = "[".repeat(100_000).getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Json.read(deep)).isInstanceOf(IOException.class);
  }
}
