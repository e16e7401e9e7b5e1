package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.testing.Program;
import dev.bale.testing.RegistryCli;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import dev.bale.testing.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes to the reference registry serving TLS on 127.0.0.1 with a certificate made by openssl:
 * checked against the trust store, trusted through one given to bale's JVM, or not checked with
 * {@code --insecure}; to one whose token service speaks plain HTTP, which gets credentials only
 * with {@code --insecure}; and to a plain registry, which gets HTTP once it shows it has no TLS.
 */
class RegistryTlsIT {
  private static final Set<String> PUSH = Set.of("pull", "push");

  @TempDir Path dir;

  private List<String> pushArguments(String reference, String... options) throws Exception {
    Path layout = dir.resolve("layout");
    if (!Files.exists(layout)) {
      RegistryImages.writeLayout(layout, RegistryImages.busybox("amd64", "tls\n"), "latest");
    }
    List<String> args = new ArrayList<>(List.of("push", "--from", layout.toString()));
    args.addAll(List.of("--cache-dir", dir.resolve("cache").toString()));
    args.addAll(List.of(options));
    args.add(reference);
    return args;
  }

  private RegistryCli push(String reference, String... options) throws Exception {
    return RegistryCli.run(pushArguments(reference, options).toArray(String[]::new));
  }

  private Path registryDirectory() throws Exception {
    return Files.createDirectories(dir.resolve("registry"));
  }

  @Test
  void push_insecure_speaksTlsWithoutCheckingTheCertificate() throws Exception {
    try (RegistryFixture registry = RegistryFixture.startWithTls(registryDirectory())) {
      String reference = registry.host() + "/bale/tls:1";

      RegistryCli result = push(reference, "--insecure");

      assertThat(result.exitCode()).as(result.err()).isZero();
      String inspect =
          RegistryFixture.run(
              List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + reference));
      assertThat(new ObjectMapper().readTree(inspect).path("Digest").asText())
          .isEqualTo(result.out().strip().substring(result.out().indexOf('@') + 1));
    }
  }

  @Test
  void push_untrustedCertificate_failsInOneLineNamingTheRegistryAndTheProblem() throws Exception {
    try (RegistryFixture registry = RegistryFixture.startWithTls(registryDirectory())) {
      RegistryCli result = push(registry.host() + "/bale/tls:1");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out()).isEmpty();
      assertThat(result.err().strip())
          .startsWith("bale: cannot reach the API on registry '" + registry.host() + "'")
          .contains("its TLS certificate is not trusted")
          .contains("unable to find valid certification path")
          .contains("-Djavax.net.ssl.trustStore")
          .doesNotContain("\n");
      // No silent fallback: not one request reached the API, over TLS or in the clear.
      assertThat(registry.requests("GET", "/v2/")).isZero();
    }
  }

  @Test
  void push_certificateInTheTrustStoreOfBalesJvm_pushesOverHttps() throws Exception {
    Path registryDirectory = registryDirectory();
    try (RegistryFixture registry = RegistryFixture.startWithTls(registryDirectory)) {
      String reference = registry.host() + "/bale/trusted:1";

      Program.Result result = pushTrusting(registryDirectory, reference);

      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(result.stdout()).startsWith(reference + "@sha256:");
      assertThat(result.stderr()).doesNotContain("warn");
      // The registry serves TLS only: the manifest it logs came over HTTPS.
      assertThat(registry.requests("PUT", "/bale/trusted/manifests/1")).isEqualTo(1);
    }
  }

  /**
   * Pushes in a JVM of its own whose trust store holds the certificate of the registry started in
   * {@code registryDirectory}.
   */
  private Program.Result pushTrusting(Path registryDirectory, String reference, String... options)
      throws Exception {
    Path trustStore = dir.resolve("trust.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Program.run(
            List.of(
                keytool,
                "-importcert",
                "-noprompt",
                "-alias",
                "registry",
                "-file",
                RegistryFixture.tlsCertificate(registryDirectory).toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit"))
        .checked();

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djavax.net.ssl.trustStore=" + trustStore);
    command.add("-Djavax.net.ssl.trustStorePassword=changeit");
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bale.cli.Main"));
    command.addAll(pushArguments(reference, options));
    return Program.run(command, Map.of(), dir);
  }

  @Test
  void push_plainHttpToTlsRegistry_failsInOneLine() throws Exception {
    try (RegistryFixture registry = RegistryFixture.startWithTls(registryDirectory())) {
      RegistryCli result = push(registry.host() + "/bale/tls:1", "--plain-http");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out()).isEmpty();
      assertThat(result.err().strip())
          .startsWith("bale: ")
          .contains(registry.host())
          .contains("HTTP 400")
          .contains("leave out --plain-http")
          .doesNotContain("\n");
    }
  }

  @Test
  void push_plainRegistryOnThisMachine_fallsBackToHttp_quietlyUnlessVerbose() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(registryDirectory())) {
      RegistryCli insecure = push(registry.host() + "/bale/plain:1", "--insecure", "-v");
      RegistryCli plain = push(registry.host() + "/bale/plain:2");

      assertThat(insecure.exitCode()).as(insecure.err()).isZero();
      assertThat(insecure.err())
          .contains("registry " + registry.host() + " does not speak TLS; using plain HTTP")
          .contains("2 blobs sent");
      assertThat(plain.exitCode()).as(plain.err()).isZero();
      assertThat(plain.err()).doesNotContain("TLS").doesNotContain("warn");
    }
  }

  @Test
  void push_insecureToTlsRegistryWithPlainTokenRealm_sendsTheCredentialsThere() throws Exception {
    Path tokenDirectory = Files.createDirectories(dir.resolve("tokens"));
    try (TokenServer tokens =
            TokenServer.start(tokenDirectory, "user", "pw", (user, repository) -> PUSH);
        RegistryFixture registry =
            RegistryFixture.startWithTlsAndTokens(registryDirectory(), tokens)) {
      String reference = registry.host() + "/bale/token:1";

      RegistryCli result = push(reference, "--insecure", "--creds", "user:pw");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).startsWith(reference + "@sha256:");
      assertThat(tokens.tokensIssued()).isEqualTo(1);
    }
  }

  @Test
  void push_tlsRegistryWithPlainTokenRealm_refusesToSendCredentialsThere() throws Exception {
    Path tokenDirectory = Files.createDirectories(dir.resolve("tokens"));
    Path registryDirectory = registryDirectory();
    try (TokenServer tokens =
            TokenServer.start(tokenDirectory, "user", "pw", (user, repository) -> PUSH);
        RegistryFixture registry =
            RegistryFixture.startWithTlsAndTokens(registryDirectory, tokens)) {
      String reference = registry.host() + "/bale/token:1";

      Program.Result result = pushTrusting(registryDirectory, reference, "--creds", "user:pw");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.stderr().strip())
          .startsWith("bale: ")
          .contains("wants credentials sent to '" + tokens.realm() + "' over plain HTTP")
          .contains("--insecure")
          .doesNotContain("\n");
      assertThat(tokens.tokensIssued()).isZero();
    }
  }
}
