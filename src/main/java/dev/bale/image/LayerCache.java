package dev.bale.image;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.store.LayerCacheTable;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Remembers the diff ID, digest and sizes of every layer written, so that an unchanged layer is
 * never read from the store again.
 *
 * <p>A layer is known by a key: a SHA-256 of {@link LayerWriter#RULES_VERSION}, the compressor's
 * {@linkplain Compression#identity() identity}, the store path and NAR hash of each of its items
 * and its {@linkplain Layer#identity() identity}. Store items never change, so equal keys mean
 * equal bytes; a new item, a new tar rule or another compressor gives a new key.
 *
 * <p>Writers use it three ways: the OCI layout writer skips a layer whose blob the layout holds
 * already; writers that need a digest before the bytes (an archive to a stream, a registry push)
 * take it from {@link #digests} instead of a first pass; and every writer {@link #record}s what it
 * wrote. A push calls {@link #digests} for each layer's descriptor, asks the registry which blobs
 * it lacks, and builds only those.
 *
 * <p>The embedded store keeps the cache in its own database ({@code LayerCache} table); a Guix or
 * Nix store, read-only to bale, gets bale's own cache file (see {@link #open(Store, EventSink)}).
 */
public final class LayerCache implements AutoCloseable {
  private static final LayerCache DISABLED = new LayerCache(null, null, 0);

  private final LayerCacheTable table;
  private final NarHashes narHashes;
  private final int rulesVersion;

  LayerCache(LayerCacheTable table, NarHashes narHashes, int rulesVersion) {
    this.table = table;
    this.narHashes = narHashes;
    this.rulesVersion = rulesVersion;
  }

  /** Finds the NAR hash of a store item, which a cache key must include. */
  @FunctionalInterface
  public interface NarHashes {
    /** Returns the NAR hash of {@code item}. */
    Digest narHash(ClosureItem item) throws IOException;
  }

  /** Returns a cache that knows nothing and remembers nothing. */
  public static LayerCache disabled() {
    return DISABLED;
  }

  /**
   * Returns the cache of {@code store}: the {@code LayerCache} table of the embedded store's
   * database, or for a Guix or Nix store (whose database bale never writes) the table in bale's own
   * cache file under {@code $XDG_CACHE_HOME/bale}. Keys hold full store paths and NAR hashes, so
   * stores sharing that file never see each other's layers as their own. When that file cannot be
   * opened, a warning goes to {@code events} and the cache is disabled.
   */
  public static LayerCache open(Store store, EventSink events) throws StoreException {
    NarHashes hashes = item -> narHash(store, item.path());
    if (store instanceof LocalStore local) {
      return new LayerCache(LayerCacheTable.open(local), hashes, LayerWriter.RULES_VERSION);
    }
    try {
      return new LayerCache(LayerCacheTable.openOwn(), hashes, LayerWriter.RULES_VERSION);
    } catch (StoreException e) {
      events.log(Level.WARN, e.getMessage() + "; packing without the layer cache");
      return DISABLED;
    }
  }

  /** Returns the cache in the SQLite database {@code file}, with NAR hashes from {@code hashes}. */
  public static LayerCache open(Path file, NarHashes hashes) throws StoreException {
    return new LayerCache(LayerCacheTable.open(file), hashes, LayerWriter.RULES_VERSION);
  }

  private static Digest narHash(Store store, StorePath path) throws IOException {
    try {
      return store
          .pathInfo(path)
          .map(PathInfo::narHash)
          .orElseThrow(() -> new IOException("'" + path + "' is not valid in the store"));
    } catch (StoreException e) {
      throw new IOException("cannot read the NAR hash of '" + path + "'", e);
    }
  }

  /** Tells whether this cache remembers anything. */
  public boolean isEnabled() {
    return table != null;
  }

  /** Returns what is known of {@code layer} compressed with {@code compression}, if anything. */
  public Optional<WrittenLayer> lookup(Layer layer, Compression compression) throws IOException {
    if (table == null) {
      return Optional.empty();
    }
    try {
      return table
          .find(key(layer, compression))
          .map(row -> new WrittenLayer(row.digest(), row.size(), row.diffId(), row.tarSize()));
    } catch (StoreException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Remembers that {@code layer} compressed with {@code compression} gave {@code written}. */
  public void record(Layer layer, Compression compression, WrittenLayer written)
      throws IOException {
    if (table == null) {
      return;
    }
    var row =
        new LayerCacheTable.Row(
            compression.toString(),
            written.diffId(),
            written.tarSize(),
            written.digest(),
            written.size());
    try {
      table.put(key(layer, compression), row);
    } catch (StoreException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Forgets {@code layer} compressed with {@code compression}, after its entry proved wrong. */
  public void forget(Layer layer, Compression compression) throws IOException {
    if (table == null) {
      return;
    }
    try {
      table.remove(key(layer, compression));
    } catch (StoreException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Returns the digests of {@code layer} compressed with {@code compression}: from the cache, or
   * else by building the layer into a stream that keeps nothing, and then recording them.
   */
  public WrittenLayer digests(Layer layer, Compression compression) throws IOException {
    Optional<WrittenLayer> known = lookup(layer, compression);
    if (known.isPresent()) {
      return known.get();
    }
    WrittenLayer written =
        LayerWriter.write(layer.scan(), compression, OutputStream.nullOutputStream());
    record(layer, compression, written);
    return written;
  }

  /**
   * Writes {@code layer}, whose entries are {@code content}, to {@code out} as {@link LayerWriter}
   * does, given what this cache knows of it, and checks the result against that ({@link #confirm});
   * the caller records a layer the cache did not know.
   */
  public WrittenLayer write(
      Layer layer, Layer.Content content, Compression compression, OutputStream out)
      throws IOException {
    WrittenLayer known = lookup(layer, compression).orElse(null);
    WrittenLayer written = LayerWriter.write(content, compression, out, known);
    if (known != null) {
      confirm(layer, compression, known, written);
    }
    return written;
  }

  /**
   * Checks that writing {@code layer} gave the {@code announced} digests, which a stream header
   * already carries; when not, forgets the layer, since the cache may be what was wrong.
   *
   * @throws IOException if {@code written} differs from {@code announced}
   */
  public void confirm(
      Layer layer, Compression compression, WrittenLayer announced, WrittenLayer written)
      throws IOException {
    if (written.equals(announced)) {
      return;
    }
    forget(layer, compression);
    throw new IOException(
        "cannot write layer '"
            + layer.description()
            + "': its digest was "
            + announced.digest()
            + " before and "
            + written.digest()
            + " now; run again, and"
            + " if it recurs, something is modifying the store");
  }

  /** Returns the key of {@code layer} compressed with {@code compression}. */
  String key(Layer layer, Compression compression) throws IOException {
    StringBuilder text = new StringBuilder("bale layer cache\n");
    text.append("rules ").append(rulesVersion).append('\n');
    text.append("compressor ").append(compression.identity()).append('\n');
    for (ClosureItem item : layer.items()) {
      text.append(item.path()).append(' ').append(narHashes.narHash(item)).append('\n');
    }
    if (layer.hasCustomisation()) {
      // Item paths name the store directory; the customisation's own entries do not, yet its
      // layer holds the directory's parents.
      text.append("store directory ").append(layer.customisation().storeDirectory()).append('\n');
    }
    text.append(layer.identity());
    return Digest.of(text.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  @Override
  public void close() throws StoreException {
    if (table != null) {
      table.close();
    }
  }
}
