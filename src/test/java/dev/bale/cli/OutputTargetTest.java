package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.ProcessTag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
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
  void directory_closedWhileAThreadStillWritesIntoIt_leavesNothing() throws Exception {
    Path output = dir.resolve("layout");
    OutputTarget target = OutputTarget.directory(output);
    Path temporary = target.temporary();
    CountDownLatch writing = new CountDownLatch(20);
    // As an interrupted pack's layer writers do, the thread goes on adding files until it cannot;
    // at most 50,000, should the directory stay. A deletion that walked the directory where it is
    // raced the writer, and in some runs left it behind with the files added after its walk.
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int blob = 0; blob < 50_000; blob++) {
                  Files.writeString(temporary.resolve("blob-" + blob), "x");
                  writing.countDown();
                }
              } catch (IOException e) {
                // The directory is gone from under it.
              }
            });
    writer.setDaemon(true);
    writer.start();
    writing.await();

    target.close();
    writer.join(10_000);

    assertThat(writer.isAlive()).as("the writer can still add files").isFalse();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
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
