/**
 * Log and progress events that the library sends instead of printing. The caller supplies the
 * {@link dev.bale.event.EventSink}; only the command line renders events on a terminal.
 */
package dev.bale.event;
