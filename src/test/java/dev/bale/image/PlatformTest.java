package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlatformTest {
  /** Each system DESIGN.md names, its OCI architecture and its variant ("" for none). */
  static Stream<Arguments> systems() {
    return Stream.of(
        Arguments.of("x86_64-linux", "amd64", ""),
        Arguments.of("i686-linux", "386", ""),
        Arguments.of("aarch64-linux", "arm64", ""),
        Arguments.of("armhf-linux", "arm", "v7"),
        Arguments.of("mips64el-linux", "mips64le", ""),
        Arguments.of("powerpc64le-linux", "ppc64le", ""),
        Arguments.of("riscv64-linux", "riscv64", ""),
        Arguments.of("s390x-linux", "s390x", ""));
  }

  @ParameterizedTest
  @MethodSource("systems")
  void forSystem_knownSystem_mapsAsDocumented(String system, String architecture, String variant)
      throws ImageException {
    Platform platform = Platform.forSystem(system);
    assertThat(platform.architecture()).isEqualTo(architecture);
    assertThat(platform.variant()).isEqualTo(variant);
    assertThat(platform.os()).isEqualTo("linux");
    assertThat(platform.system()).isEqualTo(system);
  }

  @Test
  void forSystem_unknown_namesTheSystemAndTheKnownOnes() {
    assertThatThrownBy(() -> Platform.forSystem("sparc-linux"))
        .isInstanceOf(ImageException.class)
        .hasMessageContaining("'sparc-linux'")
        .hasMessageContaining("x86_64-linux");
  }

  @Test
  void current_onThisMachine_isKnown() throws ImageException {
    assertThat(Platform.current().architecture()).isNotEmpty();
  }
}
