package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {
  @Test
  void parse_nameAndTag_splitsAtTheLastColon() throws ImageException {
    assertThat(ImageName.parse("localhost:5000/team/hello:2.12"))
        .isEqualTo(new ImageName("localhost:5000/team/hello", "2.12"));
    assertThat(ImageName.parse("hello")).isEqualTo(new ImageName("hello", "latest"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Hello:1", "hello:-x", "hello::1", "-hello", "hello:", "a//b:1"})
  void parse_invalid_isRejectedWithTheText(String text) {
    assertThatThrownBy(() -> ImageName.parse(text))
        .isInstanceOf(ImageException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void canonicalRepository_anyText_becomesValid() {
    assertThat(ImageName.canonicalRepository("Hello_World++2.12")).isEqualTo("hello_world-2.12");
    assertThat(ImageName.canonicalRepository("--..")).isEqualTo("image");
    assertThat(ImageName.canonicalRepository("python3.11-numpy")).isEqualTo("python3.11-numpy");
    new ImageName(ImageName.canonicalRepository("x".repeat(400) + "?"), "latest");
  }
}
