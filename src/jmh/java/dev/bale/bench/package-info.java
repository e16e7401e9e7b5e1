/**
 * JMH benchmarks of bale's hot paths, each beside the baseline it should approach: NAR hashing
 * beside reading and hashing the same files, parallel gzip beside the JDK's gzip, zstd with one
 * and two workers. Scores are in MB/s (10^6 input bytes per second), see BENCHMARKS.md.
 *
 * <p>Reference scanning and tar writing belong here too once they exist: a
 * {@code ReferenceScanBenchmark} scanning {@link dev.bale.bench.BenchTree}'s files for store
 * paths beside {@code readAndHashFiles}, and a {@code TarBenchmark} writing the same tree to a
 * null stream beside {@code NarBenchmark.summarize}, both with the byte count of the tree as
 * operations per invocation so that they report MB/s like the rest.
 */
package dev.bale.bench;
