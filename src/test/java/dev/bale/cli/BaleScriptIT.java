package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code ./bale} script of a copy of the project, which must build the jar when it is
 * missing or older than a source, and only then.
 */
class BaleScriptIT {
  private static final String BUILDING = "bale: building ";

  @TempDir Path copy;

  @Test
  void script_buildsTheJarWhenMissingOrOlderThanASource_andOnlyThen() throws Exception {
    copyProject(Path.of(""), copy);
    Path jar = copy.resolve("target/bale.jar");
    String version = "bale " + projectVersion(copy.resolve("pom.xml")) + "\n";

    Run first = script("--version");
    assertThat(first.err()).startsWith(BUILDING + jar);
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo(version);
    assertThat(jar).isRegularFile();
    // The first run also trained the class-data archive; an empty file marks a failed training.
    assertThat(Files.size(copy.resolve("target/bale.jsa"))).isGreaterThan(1_000_000);
    FileTime built = Files.getLastModifiedTime(jar);

    Path classes = copy.resolve("classes.log");
    Run second = script(Map.of("BALE_JAVA_OPTS", "-Xlog:class+load:file=" + classes), "--version");
    assertThat(second.err()).isEmpty();
    assertThat(second.code()).isZero();
    assertThat(second.out()).isEqualTo(version);
    assertThat(Files.getLastModifiedTime(jar)).isEqualTo(built);
    // The archive holds bale's classes and picocli's, which are of Java 5's class file format.
    assertThat(Files.readAllLines(classes))
        .anyMatch(line -> line.contains(" dev.bale.cli.Main source: shared objects file"))
        .anyMatch(line -> line.contains(" picocli.CommandLine source: shared objects file"));

    Path source = copy.resolve("src/main/java/dev/bale/cli/Main.java");
    Files.setLastModifiedTime(source, FileTime.fromMillis(built.toMillis() + 10_000));
    Run third = script("--version");
    assertThat(third.err()).startsWith(BUILDING + jar);
    assertThat(third.code()).as(third.err()).isZero();
    assertThat(third.out()).isEqualTo(version);
    assertThat(Files.getLastModifiedTime(jar)).isGreaterThan(built);
  }

  /**
   * Copies what a build needs (the pom, the main sources and the script, not the tests, which
   * {@code ./bale} does not need) and has Maven work offline there, as the tests do.
   */
  private static void copyProject(Path project, Path target) throws IOException {
    Files.copy(project.resolve("pom.xml"), target.resolve("pom.xml"));
    Files.copy(project.resolve("bale"), target.resolve("bale"), StandardCopyOption.COPY_ATTRIBUTES);
    Path sources = project.resolve("src/main");
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path copied = target.resolve("src/main").resolve(sources.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copied);
        } else {
          Files.copy(file, copied);
        }
      }
    }
    // Maven reads options from .mvn/maven.config beside the pom.
    Files.createDirectories(target.resolve(".mvn"));
    Files.writeString(target.resolve(".mvn/maven.config"), "-o\n");
  }

  private static String projectVersion(Path pom) throws IOException {
    Matcher version =
        Pattern.compile("</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(pom));
    assertThat(version.find()).as("the project version in " + pom).isTrue();
    return version.group(1);
  }

  private record Run(int code, String out, String err) {}

  private Run script(String... args) throws Exception {
    return script(Map.of(), args);
  }

  private Run script(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(copy.resolve("bale").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(copy.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return process.getErrorStream().readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(600, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("./bale " + String.join(" ", args) + " did not finish in 600 s");
    }
    return new Run(
        process.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }
}
