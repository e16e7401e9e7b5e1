package dev.bale.cli;

import dev.bale.hash.Digest;
import dev.bale.registry.ImageReference;
import dev.bale.registry.Platform;
import dev.bale.registry.PullFormat;
import dev.bale.registry.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bale pull REFERENCE -o DIR}: copies an image from a registry into an OCI layout. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = {
      "Pulls an image from a registry into an OCI layout directory, an OCI archive or a Docker"
          + " archive.",
      "Prints the pulled reference with its digest on stdout."
    })
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "REFERENCE", description = "What to pull, HOST[:PORT]/REPO[:TAG].")
  String reference;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR|FILE",
      description = "The OCI layout directory to write or add to, or the archive to write.")
  Path output;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "oci-dir",
      description =
          "oci-dir (default: a layout directory), oci (a layout in a tar) or docker (a Docker"
              + " archive), as pack -f names them; oci-archive and docker-archive also work.")
  String format;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "The platform to pick from a multi-platform image (default: keep all).")
  String platform;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws Exception {
    PullFormat pullFormat =
        PullFormat.byName(format)
            .orElseThrow(
                () ->
                    new UsageException(
                        "unknown image format '" + format + "': use docker, oci or oci-dir"));
    PrintWriter out = spec.commandLine().getOut();
    ImageReference source = ImageReference.parse(reference);
    Platform chosen = platform == null ? null : Platform.parse(platform);

    TerminalEventSink events = registry.events(spec.commandLine().getErr());
    Digest digest;
    try (RegistryClient client = registry.client(events)) {
      digest = client.pull(source, chosen, output, pullFormat);
    } finally {
      events.finish();
    }

    out.println(source.withDigest(digest));
    out.flush();
    return ExitCode.OK;
  }
}
