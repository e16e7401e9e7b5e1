package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.image.Compression;
import dev.bale.registry.RegistryClient;
import org.junit.jupiter.api.Test;

class RegistryOptionsTest {
  @Test
  void compressingClient_zstd_sendsOneLayerAtATime() throws Exception {
    try (RegistryClient client =
        new RegistryOptions().compressingClient(EventSink.DISCARD, Compression.ZSTD)) {
      assertThat(client.parallelUploads()).isEqualTo(1);
    }
  }

  @Test
  void compressingClient_gzip_sendsOneLayerPerProcessorAtMost() throws Exception {
    int processors = Runtime.getRuntime().availableProcessors();

    try (RegistryClient client =
        new RegistryOptions().compressingClient(EventSink.DISCARD, Compression.GZIP)) {
      assertThat(client.parallelUploads())
          .isEqualTo(Math.min(RegistryClient.PARALLEL_UPLOADS, processors));
    }
  }
}
