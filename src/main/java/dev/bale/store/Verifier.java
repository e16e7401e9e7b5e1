package dev.bale.store;

import dev.bale.event.EventSink;
import dev.bale.nar.NarSummary;
import dev.bale.nar.NarWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Checks items of any store against its database by hashing their trees again. */
public final class Verifier {
  private Verifier() {}

  /**
   * Returns the items among {@code paths} whose tree is missing, unreadable, or whose NAR hash or
   * NAR size differs from the database's, in the order given; reports progress in NAR bytes to
   * {@code events} as task {@code verify}.
   *
   * @throws StoreException if one of {@code paths} is not valid or the database cannot be read
   */
  public static List<Corruption> verify(Store store, Collection<StorePath> paths, EventSink events)
      throws StoreException {
    List<PathInfo> infos = new ArrayList<>();
    long total = 0;
    for (StorePath path : paths) {
      Optional<PathInfo> info = store.pathInfo(path);
      if (info.isEmpty()) {
        throw new StoreException("cannot verify '" + path + "': it is not a valid store item");
      }
      infos.add(info.get());
      total += info.get().narSize();
    }

    List<Corruption> corruptions = new ArrayList<>();
    long done = 0;
    for (PathInfo info : infos) {
      check(store, info).ifPresent(reason -> corruptions.add(new Corruption(info.path(), reason)));
      done += info.narSize();
      events.progress("verify", done, total);
    }
    return corruptions;
  }

  private static Optional<String> check(Store store, PathInfo info) {
    Path tree = store.physicalPath(info.path());
    if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("its tree '" + tree + "' is missing");
    }
    NarSummary actual;
    try {
      actual = NarWriter.summarize(tree);
    } catch (IOException e) {
      return Optional.of("its tree '" + tree + "' cannot be read: " + e.getMessage());
    }
    if (!actual.hash().equals(info.narHash())) {
      return Optional.of(
          "its NAR hash is "
              + actual.hash().toNixString()
              + ", not "
              + info.narHash().toNixString()
              + " as recorded");
    }
    if (actual.size() != info.narSize()) {
      return Optional.of(
          "its NAR size is " + actual.size() + ", not " + info.narSize() + " as recorded");
    }
    return Optional.empty();
  }
}
