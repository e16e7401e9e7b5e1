package dev.bale.cli;

import dev.bale.archive.ArchiveException;
import dev.bale.archive.AuthorizedKeys;
import dev.bale.archive.SignaturePolicy;
import dev.bale.archive.SigningKey;
import dev.bale.archive.VerifyingKey;
import dev.bale.store.LocalStore;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The signing options of {@code bale archive}: key generation, the authorisation list, signing
 * exports and the signatures an import demands.
 *
 * <p>Keys live in {@code ROOT/keys/signing-key.sec} and {@code .pub} of the embedded store and the
 * authorisation list in {@code ROOT/acl}, as Guix keeps {@code /etc/guix/signing-key.*} and {@code
 * /etc/guix/acl}.
 */
final class SigningOptions {
  private static final int MAX_KEY_SIZE = 1 << 16;

  @Option(
      names = "--generate-key",
      description = "Generate an Ed25519 key pair that signs exports (ROOT/keys by default).")
  boolean generateKey;

  @Option(
      names = "--key-dir",
      paramLabel = "DIR",
      description = "With --generate-key: write signing-key.sec and .pub into DIR.")
  Path keyDirectory;

  @Option(names = "--force", description = "With --generate-key: replace an existing key pair.")
  boolean force;

  @Option(
      names = "--authorize",
      description = "Authorise imports signed by the public key in FILE (or standard input).")
  boolean authorize;

  @Option(
      names = "--deauthorize",
      description = "Remove the public key in FILE (or standard input) from the authorised keys.")
  boolean deauthorize;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description =
          "With --export: sign with the secret key in FILE (default: ROOT/keys/signing-key.sec"
              + " of the embedded store, if it exists).")
  Path key;

  @Option(names = "--no-sign", description = "With --export: do not sign, even if a key exists.")
  boolean noSign;

  @Option(
      names = "--allow-unsigned",
      description =
          "With --import: also accept items that are unsigned or signed by keys not authorised.")
  boolean allowUnsigned;

  /** Tells whether a key option chose the command's mode instead of --export or --import. */
  boolean isKeyMode() {
    return generateKey || authorize || deauthorize;
  }

  /** Returns how many of the key modes were given. */
  int modeCount() {
    return (generateKey ? 1 : 0) + (authorize ? 1 : 0) + (deauthorize ? 1 : 0);
  }

  /** Checks that each option goes with the mode given; {@code operands} are the command's. */
  void check(boolean export, boolean importing, List<String> operands) {
    if ((key != null || noSign) && !export) {
      throw new UsageException("--key and --no-sign go with --export");
    }
    if (key != null && noSign) {
      throw new UsageException("give at most one of --key and --no-sign");
    }
    if (allowUnsigned && !importing) {
      throw new UsageException("--allow-unsigned goes with --import");
    }
    if ((keyDirectory != null || force) && !generateKey) {
      throw new UsageException("--key-dir and --force go with --generate-key");
    }
    if (generateKey && !operands.isEmpty()) {
      throw new UsageException("--generate-key takes no operands, not " + operands);
    }
    if ((authorize || deauthorize) && operands.size() > 1) {
      throw new UsageException("--authorize reads one FILE (or standard input), not " + operands);
    }
  }

  /** Runs the key mode chosen, writing results to {@code out}. */
  void run(StoreCommand command, List<String> operands, PrintWriter out)
      throws IOException, StoreException, ArchiveException {
    if (generateKey) {
      Path directory = keyDirectory;
      if (directory == null) {
        try (LocalStore store = command.openLocalStore()) {
          directory = SigningKey.defaultDirectory(store.root());
        }
      }
      SigningKey.generate().write(directory, force);
      out.println(directory.resolve(SigningKey.PUBLIC_FILE));
      out.flush();
      return;
    }

    String source = operands.isEmpty() ? "standard input" : "'" + operands.get(0) + "'";
    VerifyingKey publicKey = VerifyingKey.parse(readPublicKey(operands), source);
    try (LocalStore store = command.openLocalStore()) {
      Path file = AuthorizedKeys.defaultFile(store.root());
      AuthorizedKeys list = AuthorizedKeys.read(file);
      boolean changed = authorize ? list.add(publicKey) : list.remove(publicKey);
      if (changed) {
        list.write(file);
      }
    }
  }

  private static byte[] readPublicKey(List<String> operands) throws IOException {
    if (!operands.isEmpty()) {
      Path file = Path.of(operands.get(0));
      if (!Files.exists(file)) {
        throw new IOException("cannot read the public key in '" + file + "': no such file");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return readBounded(in, "'" + file + "'");
      }
    }
    return readBounded(System.in, "standard input");
  }

  private static byte[] readBounded(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes(MAX_KEY_SIZE + 1);
    if (bytes.length > MAX_KEY_SIZE) {
      throw new IOException(
          "cannot read the public key in " + source + ": it is larger than 64 KiB");
    }
    return bytes;
  }

  /** Returns the key to sign an export of {@code store} with, or null for an unsigned export. */
  SigningKey exportKey(Store store) throws IOException, ArchiveException {
    if (noSign) {
      return null;
    }
    if (key != null) {
      return SigningKey.read(key);
    }
    if (store instanceof LocalStore local) {
      Path secret = SigningKey.defaultDirectory(local.root()).resolve(SigningKey.SECRET_FILE);
      if (Files.exists(secret)) {
        return SigningKey.read(secret);
      }
    }
    return null;
  }

  /** Returns what an import into {@code store} demands of signatures. */
  SignaturePolicy importPolicy(LocalStore store) throws IOException, ArchiveException {
    return new SignaturePolicy(
        AuthorizedKeys.read(AuthorizedKeys.defaultFile(store.root())), allowUnsigned);
  }
}
