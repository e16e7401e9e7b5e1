import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads every regular file under the given directories once and SHA-256-es it, on one thread:
 * the least a JVM program that hashes a closure has to do, start-up included. scripts/bench
 * compares bale's commands with it. Run with {@code java Floor.java DIR...}; it prints the file
 * count, the byte count and a digest of all the file digests, so that the work cannot be skipped.
 */
public class Floor {
  public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
    MessageDigest all = MessageDigest.getInstance("SHA-256");
    MessageDigest one = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[1 << 16];
    long[] counts = new long[2];

    for (String arg : args) {
      Files.walkFileTree(
          Path.of(arg),
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              if (attributes.isRegularFile()) {
                try (InputStream in = Files.newInputStream(file)) {
                  for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    one.update(buffer, 0, n);
                    counts[1] += n;
                  }
                }
                all.update(one.digest());
                counts[0]++;
              }
              return FileVisitResult.CONTINUE;
            }
          });
    }
    String digest = HexFormat.of().formatHex(all.digest());
    System.out.printf("%d files, %d bytes, sha256:%s%n", counts[0], counts[1], digest);
  }
}
