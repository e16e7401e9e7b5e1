package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.ProcessTag;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTargetTest {
  /** A process id above Linux's largest, so that no process ever has it. */
  private static final long NO_PROCESS = 1L << 23;

  @TempDir Path dir;

  @Test
  void file_leftoversOfEndedProcesses_areDeletedAndLiveOnesKept() throws Exception {
    Path output = dir.resolve("image.tar");
    Path deadFile = Files.writeString(dir.resolve(".image.tar." + NO_PROCESS + "-5-ab.tmp"), "x");
    Path deadDirectory =
        Files.createDirectories(dir.resolve(".image.tar." + NO_PROCESS + "-6-cd.tmp"));
    Files.writeString(deadDirectory.resolve("blob"), "half");
    Path live = Files.writeString(dir.resolve(".image.tar." + ProcessTag.next() + ".tmp"), "y");
    Path otherOutput =
        Files.writeString(dir.resolve(".other.tar." + NO_PROCESS + "-5-ab.tmp"), "z");
    Path notATag = Files.writeString(dir.resolve(".image.tar.backup.tmp"), "w");

    try (OutputTarget target = OutputTarget.file(output)) {
      Files.writeString(target.temporary(), "complete");
      target.commit();
    }

    assertThat(output).hasContent("complete");
    assertThat(deadFile).doesNotExist();
    assertThat(deadDirectory).doesNotExist();
    assertThat(live).exists();
    assertThat(otherOutput).exists();
    assertThat(notATag).exists();
  }

  @Test
  void outputFile_leftoverPartOfAnEndedProcess_isDeleted() throws Exception {
    Path output = dir.resolve("closure.export");
    Path dead = Files.writeString(dir.resolve(".closure.export." + NO_PROCESS + "-5-ab.part"), "x");

    try (OutputFile file = OutputFile.create(output)) {
      file.stream().write('!');
      file.commit();
    }

    assertThat(output).hasContent("!");
    assertThat(dead).doesNotExist();
  }
}
