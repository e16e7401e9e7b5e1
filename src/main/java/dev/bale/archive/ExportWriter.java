package dev.bale.archive;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.DigestingOutputStream;
import dev.bale.nar.NarWriter;
import dev.bale.store.PathInfo;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Writes store items in the export format, byte for byte as {@code nix-store --export} writes the
 * same items.
 *
 * <p>Items come in the store's {@linkplain Store#topologicalOrder topological order}, which is the
 * order {@code nix-store --export} writes, so that an importer meets every reference before its
 * referrers. Each NAR is streamed from the store item and hashed on the way out; an item whose NAR
 * hash no longer matches what the store recorded is refused, since its archive would carry a tree
 * the store never registered.
 *
 * <p>A writer given a {@link SigningKey} signs each item's record hash (see {@link ItemSignature})
 * and writes the signature after a signature flag of 1; without one, every flag is 0 and the
 * archive is what {@code nix-store --export} writes.
 */
public final class ExportWriter {
  private static final int BUFFER_SIZE = 1 << 16;

  /** The progress task, counted in NAR bytes. */
  private static final String PROGRESS_TASK = "export";

  private final Store store;
  private final SigningKey key;
  private final EventSink events;

  /**
   * Creates a writer of unsigned items of {@code store} that reports progress to {@code events}.
   */
  public ExportWriter(Store store, EventSink events) {
    this(store, null, events);
  }

  /**
   * Creates a writer of items of {@code store} signed with {@code key} (none when null) that
   * reports progress to {@code events}.
   */
  public ExportWriter(Store store, SigningKey key, EventSink events) {
    this.store = store;
    this.key = key;
    this.events = events;
  }

  /**
   * Writes the export of {@code paths} (and no other items) to {@code out}, which stays open, and
   * returns the paths in the order written.
   *
   * @throws ArchiveException if an item is not valid or its tree no longer matches its recorded NAR
   *     hash; part of the archive may have been written
   */
  public List<StorePath> write(Collection<StorePath> paths, OutputStream out)
      throws IOException, StoreException, ArchiveException {
    long total = 0;
    for (StorePath path : new TreeSet<>(paths)) {
      total += validInfo(store, path).narSize();
    }
    List<StorePath> order = store.topologicalOrder(paths);

    OutputStream buffered = new BufferedOutputStream(out, BUFFER_SIZE);
    WireOutput wire = new WireOutput(buffered);
    long done = 0;
    for (StorePath path : order) {
      events.progress(PROGRESS_TASK, done, total);
      done += writeItem(path, buffered, wire);
    }
    wire.writeLong(ExportFormat.END);
    buffered.flush();
    events.progress(PROGRESS_TASK, total, total);
    return order;
  }

  /** Writes one item and returns the size of its NAR. */
  private long writeItem(StorePath path, OutputStream out, WireOutput wire)
      throws IOException, StoreException, ArchiveException {
    PathInfo info = validInfo(store, path);
    events.log(Level.DEBUG, "exporting '" + path + "'");
    wire.writeLong(ExportFormat.ITEM);

    // The record hash covers the NAR and the metadata after it, up to the signature flag.
    DigestingOutputStream record = new DigestingOutputStream(out);
    WireOutput recordWire = new WireOutput(record);
    DigestingOutputStream nar = new DigestingOutputStream(record);
    Path tree = store.physicalPath(path);
    try {
      NarWriter.write(tree, nar);
    } catch (NoSuchFileException e) {
      throw new ArchiveException(
          "cannot export '"
              + path
              + "': its tree (or part of it) is missing from '"
              + tree
              + "'; the store is damaged, run 'bale verify'",
          e);
    }
    // Old Guix databases may lack the NAR size, read as 0; no NAR is empty, so 0 means unknown.
    boolean sizeDiffers = info.narSize() != 0 && nar.size() != info.narSize();
    if (!nar.digest().equals(info.narHash()) || sizeDiffers) {
      throw new ArchiveException(
          "cannot export '"
              + path
              + "': its tree no longer matches the NAR hash the store recorded ("
              + info.narHash().toNixString()
              + "); the item was modified after it was registered, run 'bale verify'");
    }

    recordWire.writeLong(ExportFormat.MAGIC);
    recordWire.writeString(path.toString());
    recordWire.writeLong(info.references().size());
    for (StorePath reference : info.references()) {
      recordWire.writeString(reference.toString());
    }
    recordWire.writeString(info.deriver());

    if (key == null) {
      wire.writeLong(ExportFormat.UNSIGNED);
    } else {
      wire.writeLong(ExportFormat.SIGNED);
      wire.writeString(ItemSignature.sign(record.digest(), key).text());
    }
    return nar.size();
  }

  private static PathInfo validInfo(Store store, StorePath path)
      throws StoreException, ArchiveException {
    return store
        .pathInfo(path)
        .orElseThrow(
            () ->
                new ArchiveException(
                    "cannot export '" + path + "': it is not a valid item of the store"));
  }
}
