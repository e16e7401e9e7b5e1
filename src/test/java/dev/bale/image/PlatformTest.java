package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {
  @ParameterizedTest
  @CsvSource({
    "x86_64-linux, amd64, ''",
    "i686-linux, 386, ''",
    "aarch64-linux, arm64, ''",
    "armhf-linux, arm, v7",
    "mips64el-linux, mips64le, ''",
    "powerpc64le-linux, ppc64le, ''",
    "riscv64-linux, riscv64, ''",
    "s390x-linux, s390x, ''"
  })
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
