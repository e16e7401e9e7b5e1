package dev.bale.cli;

import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.LayerCache;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageException;
import dev.bale.image.ImageName;
import dev.bale.image.Layer;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.Symlink;
import dev.bale.image.WrittenImage;
import dev.bale.store.LocalStore;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
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
  private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(?:/(tcp|udp|sctp))?");

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

  @Option(
      names = "--entry-point",
      paramLabel = "PATH",
      description = "The program to run, relative to the first ITEM, such as bin/hello.")
  String entryPoint;

  @Option(
      names = "--entry-point-arg",
      paramLabel = "ARG",
      description = "An argument the entry point always gets (repeatable).")
  List<String> entryPointArgs = new ArrayList<>();

  @Option(
      names = "--cmd",
      paramLabel = "ARG",
      description = "A default argument, replaced by those given to 'run' (repeatable).")
  List<String> cmd = new ArrayList<>();

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable.")
  List<String> env = new ArrayList<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--workdir", paramLabel = "DIR", description = "The working directory.")
  String workdir = "";

  @Option(names = "--user", paramLabel = "USER", description = "The user, NAME or UID[:GID].")
  String user = "";

  @Option(
      names = "--expose",
      paramLabel = "PORT[/PROTO]",
      description = "A port the image listens on; the protocol defaults to tcp (repeatable).")
  List<String> expose = new ArrayList<>();

  @Option(
      names = {"-S", "--symlink"},
      paramLabel = "/LINK=TARGET",
      description = "A symbolic link to TARGET, relative to the first ITEM (repeatable).")
  List<String> symlinks = new ArrayList<>();

  @Option(
      names = "--image-tag",
      paramLabel = "NAME[:TAG]",
      description = "The image name. Default: from the packed items' names, tag latest.")
  String imageTag;

  @Option(
      names = "--system",
      paramLabel = "SYSTEM",
      description = "The system the image is for, such as aarch64-linux. Default: this one.")
  String system;

  @Option(
      names = "--max-layers",
      paramLabel = "N",
      defaultValue = "100",
      description = "The most layers the image gets (default 100).")
  int maxLayers;

  @Option(
      names = "--compression",
      paramLabel = "KIND",
      description =
          "Layer compression: none, gzip or zstd. Default: none for docker, gzip for OCI.")
  String compression;

  @Option(
      names = "--created",
      paramLabel = "TIME",
      description =
          "The creation time, such as 2024-01-01T00:00:00Z. Default: $SOURCE_DATE_EPOCH, else"
              + " 1970-01-01T00:00:01Z.")
  String created;

  @Option(names = "--explain", description = "Print the layer plan on standard error.")
  boolean explain;

  @Override
  public Integer call() throws Exception {
    ImageFormat imageFormat = ImageFormat.parse(format);
    checkUsage();
    PrintWriter err = spec.commandLine().getErr();
    TerminalEventSink events = TerminalEventSink.forProcess(err, false);

    // Everything that can be checked without the store is, before a PATH is added to it.
    Platform platform = system != null ? Platform.forSystem(system) : Platform.current();
    Compression codec =
        compression != null ? Compression.parse(compression) : imageFormat.defaultCompression();
    ImageName tag = imageTag != null ? ImageName.parse(imageTag) : null;
    Instant time = creationTime();
    ImageConfig.Builder builder = configBuilder(platform, time);
    links(null);

    try (Store store = openStore();
        LayerCache cache = LayerCache.open(store, events)) {
      List<StorePath> roots = rootsOf(store);
      List<ClosureItem> closure = ClosureItem.closureOf(store, roots);
      Image image = image(store, roots, closure, builder, tag, codec);
      if (explain) {
        explain(err, closure, image.layers());
      }
      write(imageFormat, image, closure.size(), events, err, cache);
    } finally {
      events.finish();
    }
    return ExitCode.OK;
  }

  private Image image(
      Store store,
      List<StorePath> roots,
      List<ClosureItem> closure,
      ImageConfig.Builder builder,
      ImageName tag,
      Compression codec)
      throws ImageException {
    StorePath first = roots.get(0);
    Customisation customisation = Customisation.of(store.directory(), links(first));
    List<Layer> layers = LayerPlanner.plan(closure, maxLayers, customisation);

    if (entryPoint != null) {
      List<String> entry = new ArrayList<>();
      entry.add(checkedEntryPoint(store, first));
      entry.addAll(entryPointArgs);
      builder.entrypoint(entry);
    }
    ImageName name = tag != null ? tag : defaultName(roots);
    return new Image(name, builder.build(), layers, codec);
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

  private void checkUsage() {
    if (maxLayers < 1) {
      throw new UsageException("--max-layers must be at least 1, not " + maxLayers);
    }
    if (maxLayers == 1 && !symlinks.isEmpty()) {
      throw new UsageException(
          "--max-layers 1 leaves no layer for the symbolic links of -S; use 2 or more");
    }
    if (!entryPointArgs.isEmpty() && entryPoint == null) {
      throw new UsageException("--entry-point-arg needs --entry-point");
    }
  }

  /** Resolves the operands, adding those that are files outside the store first. */
  private List<StorePath> rootsOf(Store store) throws StoreException, ImageException {
    // Resolve and check everything first, so that bad input adds nothing to the store.
    StorePath[] roots = new StorePath[operands.size()];
    List<Integer> toAdd = new ArrayList<>();
    for (int i = 0; i < operands.size(); i++) {
      String operand = operands.get(i);
      boolean inStore = operand.startsWith(store.directory() + "/");
      if (!inStore && Files.exists(Path.of(operand), LinkOption.NOFOLLOW_LINKS)) {
        if (!(store instanceof LocalStore)) {
          throw new ImageException(
              "cannot pack '" + operand + "': it is outside the store, and a Guix or Nix store"
                  + " cannot take new items; add it to the embedded store instead");
        }
        toAdd.add(i);
      } else {
        roots[i] = store.resolve(operand);
      }
    }
    if (entryPoint != null && toAdd.contains(0)) {
      checkEntryPoint(Path.of(operands.get(0)), operands.get(0));
    }

    for (int i : toAdd) {
      Path absolute = Path.of(operands.get(i)).toAbsolutePath().normalize();
      Path fileName = absolute.getFileName();
      String name = fileName == null ? "root" : fileName.toString();
      roots[i] = ((LocalStore) store).add(absolute, name);
    }
    return List.of(roots);
  }

  /** Returns the -S links; with a null item, only checks their syntax. */
  private List<Symlink> links(StorePath first) throws ImageException {
    List<Symlink> result = new ArrayList<>();
    for (String spec : symlinks) {
      int equals = spec.indexOf('=');
      if (equals <= 0) {
        throw new ImageException("cannot add symbolic link '" + spec + "': use /LINK=TARGET");
      }
      String link = spec.substring(0, equals);
      String target = spec.substring(equals + 1);
      if (target.startsWith("/")) {
        throw new ImageException(
            "cannot add symbolic link '" + spec + "': its target must be relative to the first"
                + " item, such as bin, not absolute");
      }
      try {
        String absolute = first == null ? "/" + target : itemRelative(first, target);
        result.add(new Symlink(link, absolute));
      } catch (IllegalArgumentException e) {
        throw new ImageException("cannot add symbolic link '" + spec + "'", e);
      }
    }
    return result;
  }

  private ImageConfig.Builder configBuilder(Platform platform, Instant time)
      throws ImageException {
    ImageConfig.Builder builder =
        ImageConfig.builder(platform).created(time).workingDir(workdir).user(user).cmd(cmd);
    for (String variable : env) {
      String[] pair = keyValue("--env", variable);
      builder.env(pair[0] + "=" + pair[1]);
    }
    for (String label : labels) {
      String[] pair = keyValue("--label", label);
      builder.label(pair[0], pair[1]);
    }
    for (String port : expose) {
      var matcher = PORT.matcher(port);
      int number = matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
      if (number < 1 || number > 65535) {
        throw new ImageException(
            "cannot expose '" + port + "': use PORT or PORT/PROTO, PORT 1 to 65535, PROTO tcp,"
                + " udp or sctp");
      }
      builder.expose(number + "/" + (matcher.group(2) != null ? matcher.group(2) : "tcp"));
    }
    return builder;
  }

  private String checkedEntryPoint(Store store, StorePath first) throws ImageException {
    checkEntryPoint(store.physicalPath(first), first.toString());
    return itemRelative(first, entryPoint);
  }

  /** Checks that the entry point names something inside the tree at {@code item}. */
  private void checkEntryPoint(Path item, String itemName) throws ImageException {
    String relative = itemRelative(null, entryPoint);
    boolean inside = !entryPoint.startsWith("/") && !("/" + relative + "/").contains("/../");
    if (!inside || !Files.exists(item.resolve(relative), LinkOption.NOFOLLOW_LINKS)) {
      throw new ImageException(
          "cannot use entry point '" + entryPoint + "': it is not in '" + itemName + "'");
    }
  }

  /** Returns {@code path} below {@code item}, or below nothing (relative) when it is null. */
  private static String itemRelative(StorePath item, String path) {
    String trimmed = path.replaceAll("^(\\./)+", "").replaceAll("/+$", "");
    String prefix = item == null ? "" : item.toString();
    if (trimmed.isEmpty() || trimmed.equals(".")) {
      return prefix;
    }
    return item == null ? trimmed : prefix + "/" + trimmed;
  }

  private static String[] keyValue(String option, String text) throws ImageException {
    int equals = text.indexOf('=');
    if (equals <= 0) {
      throw new ImageException(option + " '" + text + "' is not of the form KEY=VALUE");
    }
    return new String[] {text.substring(0, equals), text.substring(equals + 1)};
  }

  private Instant creationTime() throws ImageException {
    if (created != null) {
      try {
        return Instant.parse(created);
      } catch (DateTimeParseException e) {
        throw new ImageException(
            "cannot use creation time '" + created + "': use the form 2024-01-01T00:00:00Z", e);
      }
    }
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch != null && !epoch.isEmpty()) {
      try {
        return Instant.ofEpochSecond(Long.parseLong(epoch));
      } catch (NumberFormatException e) {
        throw new ImageException(
            "SOURCE_DATE_EPOCH '" + epoch + "' is not a number of seconds since 1970", e);
      }
    }
    return ImageConfig.DEFAULT_CREATED;
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
          "layer " + (i + 1) + "/" + layers.size() + ": " + layer.description() + " ("
              + size + " bytes)");
      for (ClosureItem item : layer.items()) {
        err.println(
            "  " + item.path() + ": needed by " + popularity.get(item.path()) + ", "
                + item.size() + " bytes");
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
