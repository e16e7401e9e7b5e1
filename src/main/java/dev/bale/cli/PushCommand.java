package dev.bale.cli;

import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageException;
import dev.bale.image.ImageName;
import dev.bale.image.LayerCache;
import dev.bale.image.Platform;
import dev.bale.registry.ImageReference;
import dev.bale.registry.LocalImage;
import dev.bale.registry.Manifest;
import dev.bale.registry.ManifestFormat;
import dev.bale.registry.PushImage;
import dev.bale.registry.PushResult;
import dev.bale.registry.RegistryClient;
import dev.bale.registry.StoreImage;
import dev.bale.store.Store;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bale push}: sends the closure of store items, or an image on disk, to a registry,
 * streaming layers from the store without writing them anywhere first.
 */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    customSynopsis = {
      "bale push [OPTIONS] ITEM|PATH... REFERENCE",
      "       bale push [OPTIONS] --platform SYSTEM=ITEM[,ITEM...]... REFERENCE",
      "       bale push [OPTIONS] --from FILE|DIR REFERENCE"
    },
    description = {
      "Pushes the closure of store items to a registry as the image that",
      "'pack -f oci' would write with the same options, streaming each layer",
      "from the store; layers the registry already has are not sent. With",
      "--format docker the same blobs go under a Docker schema 2 manifest (and",
      "a manifest list with --platform).",
      "",
      "With --platform SYSTEM=ITEM[,ITEM...], once for each system, each closure",
      "becomes an image for its system and REFERENCE names an OCI index of them:",
      "  bale push --platform x86_64-linux=hello \\",
      "    --platform aarch64-linux=/gnu/store/...-hello registry.example/hello:2",
      "SYSTEM is a Guix or Nix system such as aarch64-linux, or OS/ARCH[/VARIANT]",
      "as docker's --platform takes it, such as linux/arm64.",
      "",
      "With --from, pushes an OCI layout (directory or tar) or a Docker archive.",
      "Prints the pushed reference with its digest on stdout, a summary of the",
      "blobs sent, mounted and skipped on stderr.",
      ""
    })
final class PushCommand extends StoreCommand implements Callable<Integer> {
  @Option(
      names = "--from",
      paramLabel = "FILE|DIR",
      description = "Push this image instead: an OCI layout directory or tar, or a Docker archive.")
  Path from;

  @Option(
      names = "--format",
      paramLabel = "oci|docker",
      description =
          "The manifest type: oci, or docker (schema 2, with gzip or uncompressed layers)."
              + " Default: oci for store items; with --from, as the layout has it, OCI for"
              + " archives.")
  String format;

  @Option(
      names = "--platform",
      paramLabel = "SYSTEM=ITEM[,ITEM...]",
      description =
          "The items of one system of a multi-platform image (repeatable); instead of ITEM"
              + " operands and --system.")
  List<String> platforms = new ArrayList<>();

  @Mixin ImageOptions imageOptions;

  @Mixin RegistryOptions registry;

  @Parameters(
      arity = "1..*",
      paramLabel = "ITEM|PATH... REFERENCE",
      hideParamSyntax = true,
      description = "What to push, then where: HOST[:PORT]/REPO[:TAG][@DIGEST].")
  List<String> operands;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestFormat manifestFormat = parseFormat(format);
    ImageReference target = ImageReference.parse(operands.get(operands.size() - 1));
    List<String> items = operands.subList(0, operands.size() - 1);

    PushResult result;
    if (from != null) {
      if (!items.isEmpty() || !platforms.isEmpty()) {
        throw new UsageException("give --from or store items, not both");
      }
      LocalImage image = LocalImage.read(from, manifestFormat);
      TerminalEventSink events = registry.events(err);
      try (RegistryClient client = registry.client(events)) {
        result = image.push(client, target);
      } finally {
        events.finish();
      }
    } else {
      ManifestFormat itemsFormat = manifestFormat != null ? manifestFormat : ManifestFormat.OCI;
      result = pushItems(target, systemItems(items), itemsFormat, err);
    }

    out.println(result.reference());
    out.flush();
    err.println("bale: pushed " + result.reference() + ": " + result.summary());
    err.flush();
    return ExitCode.OK;
  }

  /** Builds an image per system from the store and pushes them, with an index if several. */
  private PushResult pushItems(
      ImageReference target,
      Map<Platform, List<String>> bySystem,
      ManifestFormat manifestFormat,
      PrintWriter err)
      throws Exception {
    imageOptions.checkUsage();
    Compression codec = imageOptions.compression(Compression.GZIP);
    if (manifestFormat == ManifestFormat.DOCKER && codec == Compression.ZSTD) {
      throw new UsageException(
          "--format docker has no media type for zstd layers; give --compression gzip or none");
    }
    ImageName name = imageName(target);
    // Everything that can be checked without the store and the registry is, before either.
    Map<Platform, ImageConfig.Builder> builders = new LinkedHashMap<>();
    for (Platform platform : bySystem.keySet()) {
      builders.put(platform, imageOptions.configBuilder(platform));
    }
    // One sink for digesting and sending, so that one progress line shows both in turn.
    TerminalEventSink events = registry.events(err);
    List<PushImage> images = new ArrayList<>();
    List<Manifest.PlatformManifest> entries = new ArrayList<>();
    // The store stays open until the push ends: layers are read from it as they are sent.
    try (RegistryClient client = registry.compressingClient(events, codec);
        Store store = openStore();
        LayerCache cache = LayerCache.open(store, events)) {
      for (List<String> items : bySystem.values()) {
        imageOptions.checkOperands(store, items);
      }
      // Digesting the layers can take a while: learn first whether the registry is there.
      client.checkReachable(target);
      for (var system : bySystem.entrySet()) {
        List<StorePath> roots = imageOptions.rootsOf(store, system.getValue());
        List<ClosureItem> closure = ClosureItem.closureOf(store, roots);
        ImageConfig.Builder builder = builders.get(system.getKey());
        Image image = imageOptions.image(store, roots, closure, builder, name, codec);
        PushImage pushImage =
            StoreImage.of(image, manifestFormat, cache, events, client.parallelUploads());
        images.add(pushImage);
        entries.add(
            new Manifest.PlatformManifest(pushImage.manifest(), StoreImage.platformOf(image)));
      }
      events.finish();

      if (platforms.isEmpty()) {
        return client.push(target, images.get(0));
      }
      Manifest index = Manifest.forIndex(manifestFormat, entries);
      return client.pushIndex(target, index, images);
    } finally {
      events.finish();
    }
  }

  /** Returns the items of each system, from --platform or from the operands and --system. */
  private Map<Platform, List<String>> systemItems(List<String> items) throws ImageException {
    Map<Platform, List<String>> bySystem = new LinkedHashMap<>();
    if (platforms.isEmpty()) {
      if (items.isEmpty()) {
        throw new UsageException("give the ITEMs to push before the REFERENCE, or --from");
      }
      bySystem.put(imageOptions.platform(), List.copyOf(items));
      return bySystem;
    }
    if (!items.isEmpty() || imageOptions.system != null) {
      throw new UsageException("give --platform SYSTEM=ITEM..., or ITEMs and --system, not both");
    }
    for (String spec : platforms) {
      int equals = spec.indexOf('=');
      List<String> systemItems =
          equals < 0
              ? List.of()
              : List.of(spec.substring(equals + 1).split(",", -1)).stream()
                  .filter(item -> !item.isEmpty())
                  .toList();
      if (equals <= 0 || systemItems.isEmpty()) {
        throw new UsageException(
            "--platform '" + spec + "' is not of the form SYSTEM=ITEM[,ITEM...]");
      }
      Platform platform = platform(spec.substring(0, equals));
      if (bySystem.put(platform, systemItems) != null) {
        throw new UsageException("--platform names system '" + platform.system() + "' twice");
      }
    }
    return bySystem;
  }

  /** Returns the platform named by a system such as {@code aarch64-linux} or {@code os/arch}. */
  private static Platform platform(String text) throws ImageException {
    if (!text.contains("/")) {
      return Platform.forSystem(text);
    }
    for (String system : Platform.systems()) {
      Platform platform = Platform.forSystem(system);
      String name = platform.os() + "/" + platform.architecture();
      if (text.equals(name) || text.equals(name + "/" + platform.variant())) {
        return platform;
      }
    }
    return Platform.forSystem(text);
  }

  /** Returns the name the image has in its config history and events: the target's. */
  private static ImageName imageName(ImageReference target) {
    String tag = target.tag() != null ? target.tag() : "latest";
    return new ImageName(ImageName.canonicalRepository(target.repository()), tag);
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
