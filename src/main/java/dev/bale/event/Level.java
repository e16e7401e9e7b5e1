package dev.bale.event;

/** How much a log event matters, from most to least. */
public enum Level {
  ERROR,
  WARN,
  LIFECYCLE,
  DEBUG
}
