package dev.bale.cli;

import dev.bale.registry.ImageReference;
import dev.bale.registry.LocalImage;
import dev.bale.registry.ManifestFormat;
import dev.bale.registry.PushResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bale push --from IMAGE REFERENCE}: sends an image on disk to a registry. */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Pushes an OCI layout (directory or tar) or a Docker archive to a registry.",
      "Prints the pushed reference with its digest on stdout."
    })
final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "FILE|DIR",
      description = "The image: an OCI layout directory or tar, or a Docker archive.")
  Path from;

  @Option(
      names = "--format",
      paramLabel = "oci|docker",
      description = "The manifest type to push (default: as the layout has it, OCI for archives).")
  String format;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "REFERENCE", description = "Where to push, HOST[:PORT]/REPO[:TAG].")
  String reference;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestFormat manifestFormat = parseFormat(format);
    ImageReference target = ImageReference.parse(reference);
    LocalImage image = LocalImage.read(from, manifestFormat);

    PushResult result = image.push(registry.client(err), target);

    out.println(result.reference());
    out.flush();
    err.println("bale: pushed " + result.reference() + ": " + result.summary());
    err.flush();
    return ExitCode.OK;
  }

  private static ManifestFormat parseFormat(String text) {
    if (text == null) {
      return null;
    }
    return switch (text) {
      case "oci" -> ManifestFormat.OCI;
      case "docker" -> ManifestFormat.DOCKER;
      default -> throw new UsageException("--format must be oci or docker, not '" + text + "'");
    };
  }
}
