package dev.bale.cli;

import dev.bale.archive.ArchiveException;
import dev.bale.archive.ExportFormatException;
import dev.bale.archive.ExportWriter;
import dev.bale.archive.Importer;
import dev.bale.event.EventSink;
import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageName;
import dev.bale.image.Layer;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.Symlink;
import dev.bale.store.LocalStore;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bale archive}: exports store items in the Guix/Nix export format, or imports such an
 * archive into the embedded store.
 *
 * <p>Each mode is one option and one method; a new output format is an option checked in {@link
 * #checkOptions} and a method that {@link #call} runs instead of {@link #export}.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = {
      "Exports store items in the Guix/Nix export format, or imports such an archive.",
      "  bale archive --export [-r] ITEM... [-o FILE] [--key FILE | --no-sign]",
      "  bale archive --import [--allow-unsigned] [FILE]",
      "  bale archive --generate-key [--key-dir DIR] [--force]",
      "  bale archive --authorize|--deauthorize [KEY.pub]",
      "  bale archive --format=docker ITEM [-o FILE]"
    })
final class ArchiveCommand extends StoreCommand implements Callable<Integer> {
  @Option(names = "--export", description = "Write the items (and with -r their closure).")
  boolean export;

  @Option(
      names = "--import",
      description = "Import an archive (FILE, or standard input) and print its store paths.")
  boolean importing;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "docker: write the closure of ITEM as a one-layer Docker image, with /bin linking to"
              + " ITEM/bin, tagged NAME:HASH, to docker-image-BASENAME.tar (or -o FILE), and print"
              + " the file name.")
  String format;

  @Option(
      names = {"-r", "--recursive"},
      description = "With --export: write the closure of the items.")
  boolean recursive;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "With --export: write to FILE instead of standard output; with --format: the image"
              + " file.")
  Path output;

  @Parameters(
      paramLabel = "ITEM|FILE",
      arity = "0..*",
      description = "Items to export (path, HASH-NAME or package name), or the file to import.")
  List<String> operands = new ArrayList<>();

  @Mixin SigningOptions signing;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    if (signing.isKeyMode()) {
      signing.run(this, operands, spec.commandLine().getOut());
      return ExitCode.OK;
    }
    TerminalEventSink events = TerminalEventSink.forProcess(spec.commandLine().getErr(), false);
    try {
      if (format != null) {
        dockerImage(events);
      } else if (export) {
        export(events);
      } else {
        importArchive(events);
      }
    } finally {
      events.finish();
    }
    return ExitCode.OK;
  }

  private void checkOptions() {
    if (format != null) {
      if (!format.equals("docker")) {
        throw new UsageException("unknown archive format '" + format + "': use docker");
      }
      if (export || importing || recursive || operands.size() != 1) {
        throw new UsageException("--format=docker takes one ITEM and no --export, --import or -r");
      }
      if (signing.isKeyMode()) {
        throw new UsageException("--format=docker goes with no key option");
      }
      signing.check(false, false, operands);
      return;
    }
    if ((export ? 1 : 0) + (importing ? 1 : 0) + signing.modeCount() != 1) {
      throw new UsageException(
          "give exactly one of --export, --import, --generate-key, --authorize and --deauthorize");
    }
    if (signing.isKeyMode() && (recursive || output != null)) {
      throw new UsageException("-r and -o go with --export");
    }
    signing.check(export, importing, operands);
    if (importing && (recursive || output != null)) {
      throw new UsageException("-r and -o go with --export, not --import");
    }
    if (importing && operands.size() > 1) {
      throw new UsageException("--import reads one FILE (or standard input), not " + operands);
    }
    if (export && operands.isEmpty()) {
      throw new UsageException("--export needs at least one ITEM");
    }
  }

  private void export(EventSink events) throws IOException, StoreException, ArchiveException {
    try (Store store = openStore()) {
      List<StorePath> items = resolveAll(store, operands);
      List<StorePath> paths = recursive ? List.copyOf(store.requisites(items)) : items;
      ExportWriter writer = new ExportWriter(store, signing.exportKey(store), events);
      if (output == null) {
        writer.write(paths, standardOutput());
      } else {
        try (OutputFile file = OutputFile.create(output)) {
          writer.write(paths, file.stream());
          file.commit();
        }
      }
    }
  }

  /**
   * Writes the closure of the one operand as a Docker archive with a single layer, the way Guix
   * first did: a {@code /bin} link into the item when it has {@code bin}, tag {@code NAME:HASH}.
   */
  private void dockerImage(EventSink events) throws Exception {
    try (Store store = openStore()) {
      StorePath item = store.resolve(operands.get(0));
      List<Symlink> links = new ArrayList<>();
      if (Files.isDirectory(store.physicalPath(item).resolve("bin"), LinkOption.NOFOLLOW_LINKS)) {
        links.add(new Symlink("/bin", item + "/bin"));
      }
      Customisation customisation = Customisation.of(store.directory(), links);
      List<Layer> layers =
          LayerPlanner.plan(ClosureItem.closureOf(store, List.of(item)), 1, customisation);
      ImageName name = new ImageName(ImageName.canonicalRepository(item.name()), item.hash());
      ImageConfig config =
          ImageConfig.builder(Platform.current()).created(ImageOptions.creationTime(null)).build();
      Image image = new Image(name, config, layers, Compression.NONE);

      Path file = output != null ? output : Path.of("docker-image-" + item.baseName() + ".tar");
      ImageFormat.DOCKER.write(image, file, events);
      spec.commandLine().getOut().println(file);
      spec.commandLine().getOut().flush();
    }
  }

  private void importArchive(EventSink events)
      throws IOException, StoreException, ArchiveException {
    String source = operands.isEmpty() ? "standard input" : "'" + operands.get(0) + "'";
    try (LocalStore store = openLocalStore();
        InputStream in = openInput()) {
      List<StorePath> paths;
      try {
        paths = new Importer(store, signing.importPolicy(store), events).importArchive(in);
      } catch (ExportFormatException e) {
        throw new ArchiveException("cannot import " + source, e);
      }
      for (StorePath path : paths) {
        spec.commandLine().getOut().println(path);
      }
      spec.commandLine().getOut().flush();
    }
  }

  private InputStream openInput() throws IOException {
    if (operands.isEmpty()) {
      // Closing the import's stream must not close the process's standard input.
      return new FileInputStream(FileDescriptor.in) {
        @Override
        public void close() {}
      };
    }
    Path file = Path.of(operands.get(0));
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IOException("cannot import '" + file + "': there is no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException("cannot import '" + file + "': permission denied", e);
    }
  }

  /** Returns the process's standard output as bytes, which the writer flushes but never closes. */
  private static OutputStream standardOutput() {
    return new FileOutputStream(FileDescriptor.out);
  }
}
