package dev.bale.archive;

import dev.bale.hash.Digest;
import dev.bale.nar.NarFormatException;
import dev.bale.nar.NarReader;
import dev.bale.nar.NarSummary;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reads an archive in the export format one item at a time, restoring each item's tree as its NAR
 * streams past, since the store path only follows the NAR.
 *
 * <p>Every store path, reference and deriver must be directly under the store directory given to
 * the reader. Nothing may follow the end marker: a damaged marker would otherwise end an import
 * early and silently.
 *
 * <p>Each item's record hash (see {@link ItemSignature}) is computed as it is read, and its
 * signature, if any, is returned as text: checking it is the importer's job.
 */
public final class ExportReader {
  private static final String ITEM_ROLE = "its store path";

  private final WireInput in;
  private final String directory;
  private int items;
  private boolean ended;

  /**
   * Creates a reader of the archive {@code in}, whose items must be in {@code directory}; it reads
   * at most one byte past the end marker, to check that nothing follows.
   */
  public ExportReader(InputStream in, String directory) {
    this.in = new WireInput(in);
    this.directory = directory;
  }

  /** Returns the number of bytes read from the archive so far. */
  public long offset() {
    return in.offset();
  }

  /**
   * Restores the next item's tree at {@code target}, which must not exist, and returns what the
   * archive says of it, or empty after the last item.
   *
   * @throws ExportFormatException if the archive is damaged or truncated; {@code target} may then
   *     hold part of a tree, which the caller removes
   * @throws ArchiveException if an item's path, references or deriver are outside the store
   *     directory
   */
  public Optional<ExportedItem> next(Path target) throws IOException, ArchiveException {
    if (ended) {
      return Optional.empty();
    }
    long markerOffset = in.offset();
    long marker = in.readLong("an item marker");
    if (marker == ExportFormat.END) {
      ended = true;
      if (!in.atEnd()) {
        throw new ExportFormatException(
            in.offset() - 1, "data follows the end marker after " + items + " items");
      }
      return Optional.empty();
    }
    if (marker != ExportFormat.ITEM) {
      throw new ExportFormatException(
          markerOffset,
          "expected an item marker (1) or the end marker (0), found "
              + Long.toUnsignedString(marker));
    }
    items++;
    return Optional.of(readItem(target));
  }

  private ExportedItem readItem(Path target) throws IOException, ArchiveException {
    long narOffset = in.offset();
    in.startHashing();
    NarSummary nar;
    try {
      nar = NarReader.restore(in, target);
    } catch (NarFormatException e) {
      throw new ExportFormatException(
          narOffset, "the NAR of item " + items + " is damaged: " + e.getMessage(), e);
    }

    long magicOffset = in.offset();
    long magic = in.readLong("the marker after a NAR");
    if (magic != ExportFormat.MAGIC) {
      throw new ExportFormatException(
          magicOffset,
          "expected the marker NIXE after the NAR of item "
              + items
              + ", found 0x"
              + Long.toHexString(magic));
    }
    String text = in.readString("a store path", ExportFormat.MAX_PATH_LENGTH);
    StorePath path = parse("item " + items, ITEM_ROLE, text);
    SortedSet<StorePath> references = readReferences(path);
    String deriver = in.readString("a deriver", ExportFormat.MAX_PATH_LENGTH);
    if (!deriver.isEmpty()) {
      parse("'" + path + "'", "its deriver", deriver);
    }
    Digest recordHash = in.finishHashing();
    String signature = readSignature(path);
    return new ExportedItem(path, nar, references, deriver, recordHash, signature);
  }

  private SortedSet<StorePath> readReferences(StorePath path) throws IOException, ArchiveException {
    long countOffset = in.offset();
    long count = in.readLong("a reference count");
    if (count < 0 || count > ExportFormat.MAX_REFERENCES) {
      throw new ExportFormatException(
          countOffset,
          "'"
              + path
              + "' claims "
              + Long.toUnsignedString(count)
              + " references, more than "
              + ExportFormat.MAX_REFERENCES);
    }
    SortedSet<StorePath> references = new TreeSet<>();
    for (long i = 0; i < count; i++) {
      String reference = in.readString("a reference", ExportFormat.MAX_PATH_LENGTH);
      references.add(parse("'" + path + "'", "its reference", reference));
    }
    return references;
  }

  /** Reads the signature flag and returns the signature that follows it, or empty. */
  private String readSignature(StorePath path) throws IOException {
    long flagOffset = in.offset();
    long flag = in.readLong("a signature flag");
    if (flag == ExportFormat.SIGNED) {
      return in.readString("a signature", ExportFormat.MAX_SIGNATURE_LENGTH);
    }
    if (flag != ExportFormat.UNSIGNED) {
      throw new ExportFormatException(
          flagOffset,
          "expected a signature flag (0 or 1) for '"
              + path
              + "', found "
              + Long.toUnsignedString(flag));
    }
    return "";
  }

  /** Parses {@code text}, which the archive gives as {@code role} of {@code subject}. */
  private StorePath parse(String subject, String role, String text) throws ArchiveException {
    try {
      return StorePath.parse(directory, text);
    } catch (IllegalArgumentException e) {
      String problem = "cannot import " + subject + ": " + role + " '" + text + "' ";
      int slash = text.lastIndexOf('/');
      String itsDirectory = slash > 0 ? text.substring(0, slash) : "";
      if (itsDirectory.isEmpty() || itsDirectory.equals(directory)) {
        throw new ArchiveException(problem + "is not a valid store path", e);
      }
      String misplaced = problem + "is not in the store directory '" + directory + "'";
      if (role.equals(ITEM_ROLE)) {
        // Archives from another store directory are common (Guix and Nix); say what would work.
        misplaced += "; import the archive into a store whose directory is '" + itsDirectory + "'";
      }
      throw new ArchiveException(misplaced);
    }
  }
}
