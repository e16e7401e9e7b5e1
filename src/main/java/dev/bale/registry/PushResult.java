package dev.bale.registry;

/**
 * What a push did.
 *
 * @param reference the pushed reference, with the tag and the manifest (or index) digest
 * @param sent blobs uploaded
 * @param mounted blobs mounted from another repository of the same registry
 * @param skipped blobs the repository already had
 * @param bytesSent bytes of blob content uploaded, counting resent bytes after a failure
 */
public record PushResult(
    ImageReference reference, int sent, int mounted, int skipped, long bytesSent) {
  /** Returns one line for people, such as {@code 2 blobs sent (1.4 MB), 0 mounted, 1 skipped}. */
  public String summary() {
    // Tenths of a megabyte, rounded half up, without a Formatter: its locale data would cost a
    // short push more time than its requests.
    long tenths = (bytesSent + 50_000) / 100_000;
    return sent
        + " blobs sent ("
        + tenths / 10
        + "."
        + tenths % 10
        + " MB), "
        + mounted
        + " mounted, "
        + skipped
        + " skipped";
  }
}
