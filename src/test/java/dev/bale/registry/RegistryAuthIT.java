package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.testing.RegistryCli;
import dev.bale.testing.RegistryFaults;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import dev.bale.testing.RegistryImages.TestImage;
import dev.bale.testing.TokenServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes to the reference registry behind htpasswd and behind a bearer-token server, with right and
 * wrong credentials, without permission, and to a registry that is not running.
 */
class RegistryAuthIT {
  private static final String USER = "alice";
  private static final String PASSWORD = "s3cret-Pa55";

  @TempDir static Path shared;
  private static RegistryFixture basic;
  private static RegistryFixture tokenRegistry;
  private static TokenServer tokens;
  private static TestImage image;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    basic =
        RegistryFixture.startWithPassword(
            Files.createDirectories(shared.resolve("basic")), USER, PASSWORD);
    tokens =
        TokenServer.start(
            Files.createDirectories(shared.resolve("tokens")),
            USER,
            PASSWORD,
            (user, repository) ->
                user.equals(USER) && !repository.equals("bale/readonly")
                    ? Set.of("pull", "push")
                    : user.equals(USER) ? Set.of("pull") : Set.of());
    tokenRegistry =
        RegistryFixture.startWithTokens(Files.createDirectories(shared.resolve("token")), tokens);
    image = RegistryImages.busybox("amd64", "authenticated\n");
  }

  @AfterAll
  static void stop() throws Exception {
    basic.close();
    tokenRegistry.close();
    tokens.close();
  }

  private RegistryCli push(String reference, String... options) throws Exception {
    Path layout = dir.resolve("layout");
    if (!Files.exists(layout)) {
      RegistryImages.writeLayout(layout, image, "latest");
    }
    List<String> args = new ArrayList<>(List.of("push", "--from", layout.toString()));
    args.addAll(List.of("--cache-dir", dir.resolve("cache").toString()));
    args.addAll(List.of(options));
    args.add(reference);
    return RegistryCli.run(args.toArray(String[]::new));
  }

  private static void assertOneLineFailure(RegistryCli result, String... parts) {
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().strip()).startsWith("bale: ").doesNotContain("\n");
    assertThat(result.err()).contains(parts).doesNotContain(PASSWORD).doesNotContain("wrong-pw");
  }

  /** Asserts, with the right credentials, that {@code reference} names no manifest. */
  private void assertNotTagged(String reference) throws Exception {
    RegistryClient client =
        RegistryClient.builder()
            .credentials(CredentialProvider.of(new Credentials(USER, PASSWORD)))
            .stateDirectory(dir)
            .build();
    assertThatThrownBy(() -> client.pull(ImageReference.parse(reference), null, dir.resolve("x")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void push_basicAuthWithRightCredentials_succeeds() throws Exception {
    String reference = basic.host() + "/bale/app:1";

    RegistryCli result = push(reference, "--creds", USER + ":" + PASSWORD);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith(reference + "@sha256:");
  }

  @Test
  void push_credsFileAndAuthFile_areRead() throws Exception {
    Path credsFile = dir.resolve("creds");
    Files.writeString(credsFile, USER + ":" + PASSWORD + "\n");
    assertThat(push(basic.host() + "/bale/file:1", "--creds-file", credsFile.toString()).exitCode())
        .isZero();

    Path home = Files.createDirectories(dir.resolve("home/.docker"));
    String auth =
        Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        home.resolve("config.json"),
        "{\"auths\":{\"" + basic.host() + "\":{\"auth\":\"" + auth + "\"}}}");
    RegistryClient client =
        RegistryClient.builder()
            .credentials(CredentialProvider.fromAuthFiles(Map.of(), dir.resolve("home")))
            .stateDirectory(dir)
            .build();
    PushResult result =
        client.push(
            ImageReference.parse(basic.host() + "/bale/docker-config:1"),
            LocalImage.read(dir.resolve("layout"), null).images().get(0));
    assertThat(result.sent() + result.skipped() + result.mounted()).isEqualTo(2);
  }

  @Test
  void push_wrongPassword_failsInOneLineAndTagsNothing() throws Exception {
    String reference = basic.host() + "/bale/denied:1";

    RegistryCli result = push(reference, "--creds", USER + ":wrong-pw");

    assertOneLineFailure(result, basic.host(), "bale/denied", "rejected the credentials", "401");
    assertNotTagged(reference);
  }

  @Test
  void push_noCredentials_saysHowToGiveThem() throws Exception {
    RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");
    RegistryClient client =
        RegistryClient.builder()
            .credentials(CredentialProvider.fromAuthFiles(Map.of(), dir.resolve("empty-home")))
            .stateDirectory(dir)
            .build();
    PushImage pushImage = LocalImage.read(dir.resolve("layout"), null).images().get(0);

    assertThatThrownBy(
            () -> client.push(ImageReference.parse(basic.host() + "/bale/anon:1"), pushImage))
        .isInstanceOf(RegistryException.class)
        .hasMessage(
            "registry '"
                + basic.host()
                + "' needs credentials and none were found for '"
                + basic.host()
                + "/bale/anon': give --creds USER:PASSWORD or --creds-file FILE, or log in with"
                + " podman login");
  }

  @Test
  void push_tokenAuth_succeedsAndMountsWithPullScopeOnSource() throws Exception {
    String first = tokenRegistry.host() + "/bale/app:1";
    int issuedBefore = tokens.tokensIssued();
    RegistryCli result = push(first, "--creds", USER + ":" + PASSWORD);
    assertThat(result.exitCode()).as(result.err()).isZero();
    // One token serves every request of the push: it is kept until it expires.
    assertThat(tokens.tokensIssued() - issuedBefore).isEqualTo(1);
    assertThat(tokens.requestedScopes()).contains("repository:bale/app:pull,push");

    RegistryCli second =
        push(tokenRegistry.host() + "/bale/copy:1", "--creds", USER + ":" + PASSWORD);

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.err()).contains("2 mounted");
    assertThat(tokens.requestedScopes())
        .contains("repository:bale/copy:pull,push", "repository:bale/app:pull");
  }

  @Test
  void push_afterCheckReachable_takesItsTokenOver() throws Exception {
    ImageReference target = ImageReference.parse(tokenRegistry.host() + "/bale/checked:1");
    RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");
    int before = tokens.tokensIssued();

    try (RegistryClient client = tokenClient()) {
      client.checkReachable(target);
      PushResult result = LocalImage.read(dir.resolve("layout"), null).push(client, target);

      assertThat(result.sent()).isEqualTo(2);
    }

    assertThat(tokens.tokensIssued() - before).isEqualTo(1);
  }

  @Test
  void push_mountingAfterCheckReachable_fetchesOneTokenForBothRepositories() throws Exception {
    ImageReference source = ImageReference.parse(tokenRegistry.host() + "/bale/widen-from:1");
    ImageReference target = ImageReference.parse(tokenRegistry.host() + "/bale/widen-to:1");
    RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");

    try (RegistryClient client = tokenClient()) {
      LocalImage.read(dir.resolve("layout"), null).push(client, source);
      client.checkReachable(target);
      int before = tokens.tokensIssued();
      PushResult result = LocalImage.read(dir.resolve("layout"), null).push(client, target);

      assertThat(result.mounted()).isEqualTo(2);
      // The checked connection's token covered the target alone: the mounts need the source too.
      assertThat(tokens.tokensIssued() - before).isEqualTo(1);
      List<String> scopes = tokens.requestedScopes();
      assertThat(scopes.subList(scopes.size() - 2, scopes.size()))
          .containsExactly("repository:bale/widen-to:pull,push", "repository:bale/widen-from:pull");
    }
  }

  private RegistryClient tokenClient() {
    return RegistryClient.builder()
        .credentials(CredentialProvider.of(new Credentials(USER, PASSWORD)))
        .stateDirectory(dir.resolve("cache"))
        .build();
  }

  @Test
  void push_tokenAuthWrongPassword_failsInOneLine() throws Exception {
    RegistryCli result = push(tokenRegistry.host() + "/bale/app:2", "--creds", USER + ":wrong-pw");

    assertOneLineFailure(result, tokenRegistry.host(), "rejected the credentials", "401");
    assertNotTagged(tokenRegistry.host() + "/bale/app:2");
  }

  @Test
  void push_tokenWithoutPushPermission_failsInOneLineAndTagsNothing() throws Exception {
    String reference = tokenRegistry.host() + "/bale/readonly:1";

    RegistryCli result = push(reference, "--creds", USER + ":" + PASSWORD);

    assertOneLineFailure(
        result, tokenRegistry.host(), "bale/readonly", "HTTP 401", "lacks permission");
    assertNotTagged(reference);
  }

  @Test
  void push_tokenExpiresDuringPush_aNewOneIsFetched() throws Exception {
    RegistryFaults.Fault busy = new RegistryFaults.Fault("HEAD", "/blobs/", 503, "3", 1);
    try (RegistryFaults faults = RegistryFaults.start(tokenRegistry.host()).inject(busy)) {
      String reference = faults.host() + "/bale/expiring:1";
      int before = tokens.tokensIssued();
      tokens.tokenLifetime(1);
      RegistryCli result;
      try {
        // The registry asks bale to wait 3 s, longer than the token lives.
        result = push(reference, "--creds", USER + ":" + PASSWORD);
      } finally {
        tokens.tokenLifetime(300);
      }

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(faults.injected(busy)).isPositive();
      assertThat(tokens.tokensIssued() - before).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void push_tokenOutlivesTheWait_isKept() throws Exception {
    RegistryFaults.Fault busy = new RegistryFaults.Fault("HEAD", "/blobs/", 503, "3", 1);
    try (RegistryFaults faults = RegistryFaults.start(tokenRegistry.host()).inject(busy)) {
      int before = tokens.tokensIssued();

      RegistryCli result = push(faults.host() + "/bale/kept:1", "--creds", USER + ":" + PASSWORD);

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(faults.injected(busy)).isPositive();
      assertThat(tokens.tokensIssued() - before).isEqualTo(1);
    }
  }

  @Test
  void push_unexpected401WithCachedToken_fetchesOneNewTokenAndSucceeds() throws Exception {
    RegistryFaults.Fault revoked = new RegistryFaults.Fault("PUT", "/manifests/", 401, null, 1);
    try (RegistryFaults faults = RegistryFaults.start(tokenRegistry.host()).inject(revoked)) {
      String reference = faults.host() + "/bale/revoked:1";
      int before = tokens.tokensIssued();

      RegistryCli result = push(reference, "--creds", USER + ":" + PASSWORD);

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).startsWith(reference + "@sha256:");
      // The fault counts the requests it matched: the refused PUT and the one that went through.
      assertThat(faults.injected(revoked)).isEqualTo(2);
      assertThat(tokens.tokensIssued() - before).isEqualTo(2);
    }
  }

  @Test
  void push_401AgainWithTheNewToken_failsInOneLineAfterOneRefetch() throws Exception {
    RegistryFaults.Fault revoked = new RegistryFaults.Fault("PUT", "/manifests/", 401, null, 99);
    try (RegistryFaults faults = RegistryFaults.start(tokenRegistry.host()).inject(revoked)) {
      String reference = faults.host() + "/bale/refused:1";
      int before = tokens.tokensIssued();

      RegistryCli result = push(reference, "--creds", USER + ":" + PASSWORD);

      assertOneLineFailure(result, faults.host(), "bale/refused", "put manifest '1'", "HTTP 401");
      assertThat(faults.injected(revoked)).as("one PUT, one more after the new token").isEqualTo(2);
      assertThat(tokens.tokensIssued() - before).isEqualTo(2);
      assertNotTagged(tokenRegistry.host() + "/bale/refused:1");
    }
  }

  @Test
  void push_registryDown_failsInOneLine() throws Exception {
    String host = "127.0.0.1:" + RegistryFixture.freePort();

    RegistryCli result = push(host + "/bale/app:1");

    assertOneLineFailure(result, "cannot reach registry '" + host + "'", "connection refused");
  }
}
