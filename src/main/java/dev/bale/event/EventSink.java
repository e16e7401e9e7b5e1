package dev.bale.event;

/**
 * Receives what the library has to say while it works. Implementations must be safe to call from
 * several threads at once.
 */
public interface EventSink {
  /** A sink that drops every event. */
  EventSink DISCARD =
      new EventSink() {
        @Override
        public void log(Level level, String message) {}

        @Override
        public void progress(String task, long done, long total) {}
      };

  /** Receives a message, which names the object it is about (store path, digest, repository). */
  void log(Level level, String message);

  /**
   * Receives the progress of {@code task} in bytes: {@code done} bytes of {@code total}, where a
   * total of -1 means unknown. A task is finished when {@code done == total}.
   */
  void progress(String task, long done, long total);

  /**
   * Receives the progress of {@code task} in counted things, such as layers or items: {@code done}
   * of {@code total}, where a total of -1 means unknown. A task is finished when {@code done ==
   * total}. The default drops it, so that a sink that follows bytes only need not tell the two
   * apart.
   */
  default void progressCount(String task, long done, long total) {}
}
