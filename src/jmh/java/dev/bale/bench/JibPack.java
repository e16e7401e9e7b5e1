package dev.bale.bench;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Builds with Jib the image that {@code bale pack} builds: one layer per store item, each item's
 * files under {@code /gnu/store/BASE-NAME}, written as a Docker tar archive with gzip layers,
 * Jib's only format for a tar. {@code scripts/bench} times it beside bale on the same files.
 *
 * <pre>
 *   java -cp ... dev.bale.bench.JibPack OUTPUT.tar CACHE-DIRECTORY ITEM-DIRECTORY...
 * </pre>
 *
 * <p>Jib keeps the layers it built in the cache directory, keyed by the files' paths, sizes and
 * modification times: a second run with the same directory is its incremental rebuild.
 */
public final class JibPack {
  private JibPack() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: JibPack OUTPUT.tar CACHE-DIRECTORY ITEM-DIRECTORY...");
      System.exit(2);
    }
    Path output = Path.of(args[0]);
    Path cache = Path.of(args[1]);

    JibContainerBuilder image = Jib.fromScratch().setCreationTime(Instant.EPOCH);
    for (String item : List.of(args).subList(2, args.length)) {
      Path tree = Path.of(item);
      String name = tree.getFileName().toString();
      image.addFileEntriesLayer(
          FileEntriesLayer.builder()
              .setName(name)
              .addEntryRecursive(tree, AbsoluteUnixPath.get("/gnu/store/" + name))
              .build());
    }

    image.containerize(
        Containerizer.to(TarImage.at(output).named("bale-bench:latest"))
            .setApplicationLayersCache(cache)
            .setBaseImageLayersCache(cache.resolve("base")));
  }
}
