package dev.bale.cli;

import dev.bale.hash.Digest;
import dev.bale.registry.ImageReference;
import dev.bale.registry.Platform;
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
    description = {
      "Pulls an image from a registry into an OCI image layout directory.",
      "Prints the pulled reference with its digest on stdout."
    })
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "REFERENCE", description = "What to pull, HOST[:PORT]/REPO[:TAG].")
  String reference;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "The OCI layout directory to write or add to.")
  Path output;

  @Option(
      names = "--format",
      paramLabel = "oci-dir",
      defaultValue = "oci-dir",
      description = "The output format; only oci-dir for now.")
  String format;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "The platform to pick from a multi-platform image (default: keep all).")
  String platform;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws Exception {
    if (!format.equals("oci-dir")) {
      // LIMITATION: pull writes only OCI layout directories; a Docker archive or OCI tar would
      // need the image writers, which the pull can call once they exist.
      throw new UsageException("--format must be oci-dir, not '" + format + "'");
    }
    PrintWriter out = spec.commandLine().getOut();
    ImageReference source = ImageReference.parse(reference);
    Platform chosen = platform == null ? null : Platform.parse(platform);

    Digest digest = registry.client(spec.commandLine().getErr()).pull(source, chosen, output);

    out.println(source.withDigest(digest));
    out.flush();
    return ExitCode.OK;
  }
}
