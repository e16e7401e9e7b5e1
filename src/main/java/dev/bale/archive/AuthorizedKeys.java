package dev.bale.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The authorisation list: the public keys whose signatures an import accepts, kept in the form of
 * Guix's {@code /etc/guix/acl}: {@code (acl (entry (public-key ...) (tag (guix import))) ...)}.
 *
 * <p>The embedded store keeps it in {@code ROOT/acl}; a missing file is an empty list. Entries bale
 * cannot use (keys of other kinds, other tags) are kept as they are when the list is written back,
 * and authorise nothing.
 *
 * <p>LIMITATION: two processes changing the list at the same moment may lose one change (each
 * reads, changes and renames its own copy); a user notices a key missing after two concurrent
 * {@code --authorize}. A fix is a lock file around the read and the rename.
 */
public final class AuthorizedKeys {
  private static final String FILE = "acl";

  private final List<Sexp> entries;

  private AuthorizedKeys(List<Sexp> entries) {
    this.entries = new ArrayList<>(entries);
  }

  /** Returns the list's file in the embedded store at physical {@code root}. */
  public static Path defaultFile(Path root) {
    return root.resolve(FILE);
  }

  /** Returns a list that authorises only {@code keys}. */
  public static AuthorizedKeys of(List<VerifyingKey> keys) {
    AuthorizedKeys list = new AuthorizedKeys(List.of());
    keys.forEach(list::add);
    return list;
  }

  /** Reads the list in {@code file}; a missing file is an empty list. */
  public static AuthorizedKeys read(Path file) throws IOException, ArchiveException {
    if (!Files.exists(file)) {
      return new AuthorizedKeys(List.of());
    }
    Sexp.Group acl;
    try {
      acl = Sexp.parse(Files.readAllBytes(file));
      if (!acl.name().equals("acl")) {
        throw new ArchiveException("expected (acl ...), found (" + acl.name() + " ...)");
      }
    } catch (ArchiveException e) {
      throw new ArchiveException(
          "cannot read the authorisation list '"
              + file
              + "': "
              + e.getMessage()
              + "; repair or delete it, then authorise the keys again");
    }
    return new AuthorizedKeys(acl.elements().subList(1, acl.elements().size()));
  }

  /** Returns the Ed25519 keys the list authorises for imports. */
  public List<VerifyingKey> keys() {
    List<VerifyingKey> keys = new ArrayList<>();
    for (Sexp entry : entries) {
      if (entry instanceof Sexp.Group group && isImportEntry(group)) {
        try {
          keys.add(VerifyingKey.fromEcc(group.find("public-key").orElseThrow()));
        } catch (ArchiveException e) {
          // Another kind of key (RSA, another curve): it authorises nothing bale can check.
        }
      }
    }
    return List.copyOf(keys);
  }

  /** Tells whether {@code key} is authorised for imports. */
  public boolean contains(VerifyingKey key) {
    return keys().contains(key);
  }

  /** Authorises {@code key}; returns false if it was authorised already. */
  public boolean add(VerifyingKey key) {
    if (contains(key)) {
      return false;
    }
    Sexp.Group tag = Sexp.list("tag", Sexp.list("guix", "import"));
    entries.add(Sexp.list("entry", key.toSexp(), tag));
    return true;
  }

  /** Removes every import entry for {@code key}; returns false if there was none. */
  public boolean remove(VerifyingKey key) {
    return entries.removeIf(
        entry -> entry instanceof Sexp.Group group && isImportEntry(group) && isKey(group, key));
  }

  private static boolean isImportEntry(Sexp.Group entry) {
    Sexp.Group importTag = Sexp.list("tag", Sexp.list("guix", "import"));
    return entry.name().equals("entry")
        && entry.find("public-key").isPresent()
        && entry.find("tag").filter(importTag::equals).isPresent();
  }

  private static boolean isKey(Sexp.Group entry, VerifyingKey key) {
    try {
      return VerifyingKey.fromEcc(entry.find("public-key").orElseThrow()).equals(key);
    } catch (ArchiveException e) {
      return false;
    }
  }

  /** Returns the list's text, one entry a line. */
  public String text() {
    StringBuilder text = new StringBuilder("(acl");
    for (Sexp entry : entries) {
      text.append("\n ").append(entry);
    }
    return text.append(")\n").toString();
  }

  /** Writes the list to {@code file} (mode 0644) through a temporary file and a rename. */
  public void write(Path file) throws IOException {
    Path temporary =
        Files.createTempFile(
            file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".part");
    try {
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        out.write(text().getBytes(StandardCharsets.US_ASCII));
        channel.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
