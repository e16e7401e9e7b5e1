/**
 * Layer compression whose bytes depend only on the input and the level: gzip compressed in
 * parallel blocks and multithreaded zstd. The streams are plain {@link java.io.OutputStream}s, so
 * any writer of tar layers can wrap its output in one.
 */
package dev.bale.compress;
