package dev.bale.cli;

import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageName;
import dev.bale.image.Layer;
import dev.bale.image.LayerCache;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.WrittenImage;
import dev.bale.store.Store;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bale pack}: writes the closure of store items as a container image. */
@Command(
    name = "pack",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the closure of store items as a container image: a Docker archive, an OCI",
      "layout in a tar archive, or an OCI layout directory. A PATH outside the store is",
      "added to the store first, as 'bale add' would."
    })
final class PackCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "ITEM|PATH", description = "What to pack.")
  List<String> operands;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "docker",
      description = "docker (default), oci (a tar archive) or oci-dir (a directory).")
  String format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write; - for standard output. Default: from the image name.")
  String output;

  @Mixin ImageOptions imageOptions;

  @Option(
      names = "--image-tag",
      paramLabel = "NAME[:TAG]",
      description = "The image name. Default: from the packed items' names, tag latest.")
  String imageTag;

  @Option(names = "--explain", description = "Print the layer plan on standard error.")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    ImageFormat imageFormat = ImageFormat.parse(format);
    if ("-".equals(output) && !imageFormat.streams()) {
      throw new UsageException("-f " + imageFormat + " writes a directory: give -o DIR, not -o -");
    }
    imageOptions.checkUsage();
    PrintWriter err = spec.commandLine().getErr();
    TerminalEventSink events = TerminalEventSink.forProcess(err, false);

    // Everything that can be checked without the store is, before a PATH is added to it.
    Platform platform = imageOptions.platform();
    Compression codec = imageOptions.compression(imageFormat.defaultCompression());
    ImageName tag = imageTag != null ? ImageName.parse(imageTag) : null;
    ImageConfig.Builder builder = imageOptions.configBuilder(platform);

    try (Store store = openStore();
        LayerCache cache = LayerCache.open(store, events)) {
      List<StorePath> roots = imageOptions.rootsOf(store, operands);
      List<ClosureItem> closure = ClosureItem.closureOf(store, roots);
      ImageName name = tag != null ? tag : defaultName(roots);
      Image image = imageOptions.image(store, roots, closure, builder, name, codec);
      if (explain) {
        explain(err, closure, image.layers());
      }
      write(imageFormat, image, closure.size(), events, err, cache);
    } finally {
      events.finish();
    }
    return ExitCode.OK;
  }

  /** Writes the image where -o says and prints the summary line. */
  private void write(
      ImageFormat imageFormat,
      Image image,
      int items,
      TerminalEventSink events,
      PrintWriter err,
      LayerCache cache)
      throws IOException {
    String where;
    WrittenImage written;
    if ("-".equals(output)) {
      written = imageFormat.writeToStandardOutput(image, events, cache);
      where = "standard output";
    } else {
      String shortName = image.name().shortName();
      Path path = Path.of(output != null ? output : imageFormat.defaultOutput(shortName));
      written = imageFormat.write(image, path, events, cache);
      where = "'" + path + "'";
    }
    events.finish();
    err.println(summary(items, image, written, where));
    err.flush();
  }

  private static ImageName defaultName(List<StorePath> roots) {
    List<String> names = roots.stream().map(StorePath::name).distinct().toList();
    return new ImageName(ImageName.canonicalRepository(String.join("-", names)), "latest");
  }

  /** Prints each layer with, for each item, how many items need it and its NAR size. */
  private static void explain(PrintWriter err, List<ClosureItem> closure, List<Layer> layers) {
    Map<StorePath, Integer> popularity = LayerPlanner.popularity(closure);
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      long size = layer.items().stream().mapToLong(ClosureItem::size).sum();
      err.println(
          "layer "
              + (i + 1)
              + "/"
              + layers.size()
              + ": "
              + layer.description()
              + " ("
              + size
              + " bytes)");
      for (ClosureItem item : layer.items()) {
        err.println(
            "  "
                + item.path()
                + ": needed by "
                + popularity.get(item.path())
                + ", "
                + item.size()
                + " bytes");
      }
    }
  }

  private static String summary(int items, Image image, WrittenImage written, String where) {
    String digest =
        written.manifest() != null
            ? "manifest " + written.manifest().digest()
            : "image ID " + written.config().digest();
    return "bale: packed "
        + image.name()
        + ": "
        + items
        + (items == 1 ? " item, " : " items, ")
        + written.layers().size()
        + (written.layers().size() == 1 ? " layer, " : " layers, ")
        + written.bytes()
        + " bytes, "
        + digest
        + ", to "
        + where;
  }
}
