package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.testing.Bale;
import dev.bale.testing.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code pack} on a real pseudo-terminal (through {@code script}) with its standard streams
 * sent in different places, and reads what it drew.
 */
class PackProgressIT {
  @TempDir Path temp;
  private Bale bale;
  private String hello;

  @BeforeEach
  void createClosure() throws Exception {
    Program.require("script", "bsdutils");
    bale = new Bale(temp.resolve("store"));
    hello = bale.addHelloClosure(temp.resolve("items"), "drawn").get(1);
  }

  @Test
  void pack_stdoutPipedStderrOnTerminal_drawsLayerCounts() throws Exception {
    String terminal = onTerminal("xterm", "-o - | cat > " + temp.resolve("image.tar"));

    assertThat(terminal).contains("writing layers 0/3\r");
    assertThat(terminal).doesNotContain(" B/");
    assertThat(terminal).contains("bale: packed hello-2.12:latest: 2 items, 3 layers, ");
  }

  @Test
  void pack_stderrToFileStdoutOnTerminal_writesTheSummaryOnly() throws Exception {
    Path log = temp.resolve("err.log");
    onTerminal("xterm", "-o " + temp.resolve("image.tar") + " 2>" + log);

    String errors = Files.readString(log);
    assertThat(errors).doesNotContain("\r").startsWith("bale: packed hello-2.12:latest: ");
    assertThat(errors.lines()).hasSize(1);
  }

  @Test
  void pack_dumbTerminal_drawsNothing() throws Exception {
    String terminal = onTerminal("dumb", "-o " + temp.resolve("image.tar"));

    assertThat(terminal).doesNotContain("writing layers").contains("bale: packed hello-2.12");
  }

  /** Runs the pack with {@code redirections} in a shell on a new terminal; returns what it drew. */
  private String onTerminal(String term, String redirections) throws Exception {
    Path typescript = temp.resolve("typescript");
    String jar = Path.of("target/bale.jar").toAbsolutePath().toString();
    String pack =
        "java -jar "
            + jar
            + " --store '"
            + bale.storeUri()
            + "' pack "
            + hello
            + " "
            + redirections;
    Program.run(
            List.of("script", "--quiet", "--return", "--command", pack, typescript.toString()),
            Map.of("TERM", term),
            null)
        .checked();
    return Files.readString(typescript);
  }
}
