package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataTrainingTest {
  @TempDir Path temp;

  @Test
  void train_addEveryPackAndEveryPush_succeedAgainstTheRegistryInTheProcess() throws Exception {
    // A step that failed would load fewer classes than a real run and leave them out of the
    // archive, silently: every step must go through.
    assertThat(ClassDataTraining.train(temp)).isZero();

    try (Stream<Path> blobs = Files.list(temp.resolve("image/blobs/sha256"))) {
      assertThat(blobs.count()).isGreaterThanOrEqualTo(3);
    }
    assertThat(temp.resolve("image.tar")).isNotEmptyFile();
    // What the pushes remember of the registry stays in the training directory.
    try (Stream<Path> state = Files.walk(temp.resolve("state"))) {
      assertThat(state.filter(Files::isRegularFile)).isNotEmpty();
    }
  }
}
