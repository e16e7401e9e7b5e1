package dev.bale.cli;

import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageException;
import dev.bale.image.ImageName;
import dev.bale.image.Layer;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.Symlink;
import dev.bale.store.LocalStore;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options that say what image {@code pack} and {@code push} build from store items: entry
 * point, command, environment, labels, links, system, layer budget, compression and time.
 */
final class ImageOptions {
  private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(?:/(tcp|udp|sctp))?");

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
      description = "A symbolic link to TARGET, a path inside the first ITEM (repeatable).")
  List<String> symlinks = new ArrayList<>();

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
          "Layer compression: none, gzip or zstd. Default: none for pack -f docker, else gzip.")
  String compression;

  @Option(
      names = "--created",
      paramLabel = "TIME",
      description =
          "The creation time, such as 2024-01-01T00:00:00Z. Default: $SOURCE_DATE_EPOCH, else"
              + " 1970-01-01T00:00:01Z.")
  String created;

  /** Rejects combinations of options that cannot work, as usage errors. */
  void checkUsage() {
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

  /** Returns the platform of {@code --system}, or of this machine when it is not given. */
  Platform platform() throws ImageException {
    return system != null ? Platform.forSystem(system) : Platform.current();
  }

  /** Returns the compression of {@code --compression}, or {@code fallback}. */
  Compression compression(Compression fallback) throws ImageException {
    return compression != null ? Compression.parse(compression) : fallback;
  }

  /**
   * Returns a config builder for {@code platform} with every option but the entry point, after
   * checking the syntax of the symbolic links, so that bad input fails before the store is touched.
   */
  ImageConfig.Builder configBuilder(Platform platform) throws ImageException {
    links(null);
    ImageConfig.Builder builder =
        ImageConfig.builder(platform)
            .created(creationTime(created))
            .workingDir(workdir)
            .user(user)
            .cmd(cmd);
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
            "cannot expose '"
                + port
                + "': use PORT or PORT/PROTO, PORT 1 to 65535, PROTO tcp,"
                + " udp or sctp");
      }
      builder.expose(number + "/" + (matcher.group(2) != null ? matcher.group(2) : "tcp"));
    }
    return builder;
  }

  /**
   * Returns the image of {@code closure}, whose roots are {@code roots}, planned into layers, with
   * the entry point and links resolved against the first root.
   */
  Image image(
      Store store,
      List<StorePath> roots,
      List<ClosureItem> closure,
      ImageConfig.Builder builder,
      ImageName name,
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
    return new Image(name, builder.build(), layers, codec);
  }

  /** Resolves the operands, adding those that are files outside the store first. */
  List<StorePath> rootsOf(Store store, List<String> operands)
      throws StoreException, ImageException {
    // Resolve and check everything first, so that bad input adds nothing to the store.
    StorePath[] roots = resolve(store, operands);
    for (int i = 0; i < roots.length; i++) {
      if (roots[i] == null) {
        Path absolute = Path.of(operands.get(i)).toAbsolutePath().normalize();
        Path fileName = absolute.getFileName();
        String name = fileName == null ? "root" : fileName.toString();
        roots[i] = ((LocalStore) store).add(absolute, name);
      }
    }
    return List.of(roots);
  }

  /**
   * Checks the operands as {@link #rootsOf} would, adding nothing, so that a command with several
   * lists of operands can check them all before it adds any.
   */
  void checkOperands(Store store, List<String> operands) throws StoreException, ImageException {
    resolve(store, operands);
  }

  /** Returns the store paths of the operands in the store, null for files to add. */
  private StorePath[] resolve(Store store, List<String> operands)
      throws StoreException, ImageException {
    StorePath[] roots = new StorePath[operands.size()];
    for (int i = 0; i < operands.size(); i++) {
      String operand = operands.get(i);
      if (operand.isEmpty()) {
        // An unset shell variable, most likely; it must not mean the current directory.
        throw new UsageException("an empty ITEM|PATH operand was given");
      }
      boolean inStore = operand.startsWith(store.directory() + "/");
      if (!inStore && Files.exists(Path.of(operand), LinkOption.NOFOLLOW_LINKS)) {
        if (!(store instanceof LocalStore)) {
          throw new ImageException(
              "cannot pack '"
                  + operand
                  + "': it is outside the store, and a Guix or Nix store"
                  + " cannot take new items; add it to the embedded store instead");
        }
      } else {
        roots[i] = store.resolve(operand);
      }
    }
    if (entryPoint != null && roots[0] == null) {
      checkEntryPoint(Path.of(operands.get(0)), operands.get(0));
    }
    return roots;
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
            "cannot add symbolic link '"
                + spec
                + "': its target must be relative to the first"
                + " item, such as bin, not absolute");
      }
      String inside = insideFirstItem(spec, target);
      try {
        String absolute = first == null ? "/" + inside : itemRelative(first, inside);
        result.add(new Symlink(link, absolute));
      } catch (IllegalArgumentException e) {
        throw new ImageException("cannot add symbolic link '" + spec + "'", e);
      }
    }
    return result;
  }

  /**
   * Returns {@code target} without its {@code .} and {@code ..} components, and refuses it as a
   * usage error when its {@code ..} components leave the first item: the link would point to
   * whatever lies beside or above that item in the image.
   */
  private static String insideFirstItem(String spec, String target) {
    Deque<String> components = new ArrayDeque<>();
    for (String component : target.split("/")) {
      if (component.equals("..")) {
        if (components.pollLast() == null) {
          throw new UsageException(
              "cannot add symbolic link '"
                  + spec
                  + "': its target leaves the first item; TARGET is a path inside it, such as"
                  + " bin");
        }
      } else if (!component.isEmpty() && !component.equals(".")) {
        components.add(component);
      }
    }
    return String.join("/", components);
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

  /**
   * Returns the image creation time: {@code created} (an ISO-8601 instant from {@code --created})
   * when given, else {@code SOURCE_DATE_EPOCH}, else {@link ImageConfig#DEFAULT_CREATED}.
   */
  static Instant creationTime(String created) throws ImageException {
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
}
