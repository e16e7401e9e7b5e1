package dev.bale.archive;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.Registration;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import dev.bale.store.TemporaryDirectory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Imports an archive in the export format into the embedded store: every item of the archive
 * becomes valid, or none does.
 *
 * <p>Each item's tree is restored into a temporary directory of the store while its NAR hash and
 * NAR size are computed, which is what the store records, since an unsigned export carries neither.
 * Every reference must be valid already, the item itself, or an item earlier in the archive. Only
 * after the end marker has been read are the new items registered, in one transaction; on any error
 * the temporary trees are deleted and the store is as it was.
 *
 * <p>Items that are valid already keep their tree: their NAR is still read and checked for format
 * errors, and a NAR hash that differs from the recorded one is reported as a warning (a build that
 * is not reproducible gives different trees for the same path).
 *
 * <p>Signatures are checked as the {@link SignaturePolicy} says, item by item as they are read and
 * before anything is registered: by default every item must carry a signature by an authorised key
 * over its record hash, so that a changed byte anywhere in the NAR, the store path, the references
 * or the deriver is refused.
 *
 * <p>LIMITATION: an unsigned export (accepted with {@link SignaturePolicy#allowUnsigned}) records
 * no hash, so a changed byte in the contents of a file goes unnoticed unless the item is valid
 * already; changes that break the NAR's structure are caught. Signing the archive closes the gap.
 */
public final class Importer {
  private static final int BUFFER_SIZE = 1 << 16;

  /** The progress task, counted in bytes of the archive. */
  private static final String PROGRESS_TASK = "import";

  private final LocalStore store;
  private final SignaturePolicy policy;
  private final EventSink events;

  /**
   * Creates an importer into {@code store} that accepts the signatures {@code policy} allows and
   * reports what it does to {@code events}.
   */
  public Importer(LocalStore store, SignaturePolicy policy, EventSink events) {
    this.store = store;
    this.policy = policy;
    this.events = events;
  }

  /**
   * Imports the archive {@code in} and returns the paths of all its items in archive order, those
   * newly valid and those that were valid already.
   *
   * @throws ExportFormatException if the archive is damaged or truncated
   * @throws ArchiveException if an item is outside the store directory, its signature is missing,
   *     wrong or not by an authorised key (as the policy says), it appears twice with different
   *     trees, or it has a reference that is neither valid nor earlier in the archive
   */
  public List<StorePath> importArchive(InputStream in)
      throws IOException, StoreException, ArchiveException {
    ExportReader reader =
        new ExportReader(new BufferedInputStream(in, BUFFER_SIZE), store.directory());
    try (TemporaryDirectory temporary = store.newTemporaryDirectory()) {
      Batch batch = new Batch();
      for (int index = 0; ; index++) {
        Path tree = temporary.path().resolve(Integer.toString(index));
        Optional<ExportedItem> item = reader.next(tree);
        if (item.isEmpty()) {
          break;
        }
        accept(item.get(), tree, batch);
        // The archive's length is unknown when it comes from a pipe.
        events.progress(PROGRESS_TASK, reader.offset(), -1);
      }
      events.progress(PROGRESS_TASK, reader.offset(), reader.offset());

      List<StorePath> registered = store.registerAll(batch.registrations);
      events.log(
          Level.LIFECYCLE, "imported " + registered.size() + " new items of " + batch.paths.size());
      return List.copyOf(batch.paths);
    }
  }

  /** The items read so far: all paths, and what to register for those that are new. */
  private static final class Batch {
    final List<StorePath> paths = new ArrayList<>();
    final Map<StorePath, ExportedItem> items = new HashMap<>();
    final List<Registration> registrations = new ArrayList<>();
  }

  private void accept(ExportedItem item, Path tree, Batch batch)
      throws StoreException, ArchiveException {
    StorePath path = item.path();
    checkSignature(item);
    ExportedItem earlier = batch.items.get(path);
    if (earlier != null) {
      if (!earlier.nar().equals(item.nar())) {
        throw new ArchiveException(
            "cannot import '" + path + "': it appears twice in the archive with different trees");
      }
      return;
    }
    batch.paths.add(path);
    batch.items.put(path, item);

    Optional<PathInfo> valid = store.pathInfo(path);
    if (valid.isPresent()) {
      warnIfDifferent(item, valid.get());
      return;
    }
    for (StorePath reference : item.references()) {
      boolean satisfied =
          reference.equals(path)
              || batch.items.containsKey(reference)
              || store.pathInfo(reference).isPresent();
      if (!satisfied) {
        throw new ArchiveException(
            "cannot import '"
                + path
                + "': its reference '"
                + reference
                + "' is neither valid nor earlier in the archive");
      }
    }
    PathInfo info =
        new PathInfo(
            path,
            item.nar().hash(),
            item.nar().size(),
            item.references(),
            item.deriver(),
            Instant.now().getEpochSecond());
    batch.registrations.add(new Registration(info, tree));
    events.log(Level.DEBUG, "restored '" + path + "' (" + item.nar().size() + " NAR bytes)");
  }

  private void checkSignature(ExportedItem item) throws ArchiveException {
    String refused = "cannot import '" + item.path() + "': ";
    if (item.signature().isEmpty()) {
      if (!policy.allowUnsigned()) {
        throw new ArchiveException(
            refused
                + "it is not signed by an authorised key (the archive carries no signature);"
                + " pass --allow-unsigned to import unsigned archives such as those of"
                + " nix-store --export");
      }
      return;
    }

    ItemSignature signature;
    try {
      signature = ItemSignature.parse(item.signature());
    } catch (ArchiveException e) {
      throw new ArchiveException(refused + "its signature is malformed: " + e.getMessage(), e);
    }
    if (!signature.hash().equals(item.recordHash())) {
      throw new ArchiveException(
          refused
              + "its signature is for a record with hash "
              + signature.hash().hex()
              + ", but the archive's record hashes to "
              + item.recordHash().hex()
              + "; the archive is damaged or was tampered with");
    }
    if (!signature.verifies()) {
      throw new ArchiveException(
          refused
              + "its signature does not verify with the key it names ("
              + signature.signer().fingerprint()
              + "); the archive is damaged or was tampered with");
    }

    if (!policy.authorized().contains(signature.signer()) && !policy.allowUnsigned()) {
      throw new ArchiveException(
          refused
              + "it is not signed by an authorised key (its signer is "
              + signature.signer().fingerprint()
              + "); authorise the signer's public key with 'bale archive --authorize < KEY.pub',"
              + " or pass --allow-unsigned");
    }
  }

  private void warnIfDifferent(ExportedItem item, PathInfo valid) {
    if (!valid.narHash().equals(item.nar().hash())) {
      events.log(
          Level.WARN,
          "'"
              + item.path()
              + "' is valid already with NAR hash "
              + valid.narHash().toNixString()
              + ", but the archive's tree has "
              + item.nar().hash().toNixString()
              + "; keeping the valid item");
    }
  }
}
