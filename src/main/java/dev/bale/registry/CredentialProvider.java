package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bale.image.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the credentials to use for a registry, or none for anonymous access. */
@FunctionalInterface
public interface CredentialProvider {
  /** A provider that never has credentials: every registry is accessed anonymously. */
  CredentialProvider ANONYMOUS = reference -> Optional.empty();

  /**
   * Returns the credentials for the repository of {@code reference}, or empty.
   *
   * @throws RegistryException if a credentials file exists but cannot be read
   */
  Optional<Credentials> find(ImageReference reference) throws RegistryException;

  /** Returns a provider that gives {@code credentials} for every registry. */
  static CredentialProvider of(Credentials credentials) {
    return reference -> Optional.of(credentials);
  }

  /**
   * Returns a provider that reads, in this order, {@code $REGISTRY_AUTH_FILE}, podman's {@code
   * $XDG_RUNTIME_DIR/containers/auth.json} and {@code ~/.config/containers/auth.json}, and docker's
   * {@code ~/.docker/config.json}; the first file with an entry for the registry wins.
   *
   * @param environment the environment variables, usually {@code System.getenv()}
   * @param home the user's home directory
   */
  static CredentialProvider fromAuthFiles(Map<String, String> environment, Path home) {
    List<Path> files = new ArrayList<>();
    String authFile = environment.get("REGISTRY_AUTH_FILE");
    if (authFile != null && !authFile.isEmpty()) {
      files.add(Path.of(authFile));
    }
    String runtime = environment.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isEmpty()) {
      files.add(Path.of(runtime, "containers", "auth.json"));
    }
    String config = environment.get("XDG_CONFIG_HOME");
    Path configHome =
        config != null && !config.isEmpty() ? Path.of(config) : home.resolve(".config");
    files.add(configHome.resolve("containers").resolve("auth.json"));
    files.add(home.resolve(".docker").resolve("config.json"));
    return reference -> {
      for (Path file : files) {
        Optional<Credentials> found = fromAuthFile(file, reference);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    };
  }

  /**
   * Returns the credentials that {@code file}, in the {@code auths} format that podman and docker
   * share, holds for {@code reference}: the most specific key wins ({@code host/namespace/repo}
   * before {@code host}); a missing file holds none.
   *
   * @throws RegistryException if the file exists but is not valid; the message never shows its
   *     contents
   */
  static Optional<Credentials> fromAuthFile(Path file, ImageReference reference)
      throws RegistryException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode auths;
    try {
      auths = Json.read(file).path("auths");
    } catch (IOException e) {
      // The parser's message may quote the file's text, which may hold a password.
      throw new RegistryException(
          "cannot read credentials file '" + file + "': it is not valid JSON");
    }
    for (String key : authKeys(reference)) {
      JsonNode entry = auths.path(key);
      if (entry.isObject() && entry.hasNonNull("auth")) {
        return Optional.of(decode(entry.get("auth").asText(), file, key));
      }
    }
    return Optional.empty();
  }

  /** Returns the keys an auth file may file credentials for {@code reference} under, best first. */
  private static List<String> authKeys(ImageReference reference) {
    List<String> keys = new ArrayList<>();
    String repository = reference.repository();
    while (true) {
      keys.add(reference.registry() + "/" + repository);
      int slash = repository.lastIndexOf('/');
      if (slash < 0) {
        break;
      }
      repository = repository.substring(0, slash);
    }
    keys.add(reference.registry());
    keys.add("https://" + reference.registry());
    keys.add("http://" + reference.registry());
    if (reference.registry().equals(ImageReference.DOCKER_HUB)) {
      // docker login files Docker Hub under its historical index address.
      keys.add("https://index.docker.io/v1/");
      keys.add("index.docker.io");
      keys.add("registry-1.docker.io");
    }
    return keys;
  }

  private static Credentials decode(String auth, Path file, String key) throws RegistryException {
    try {
      String pair = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      return Credentials.parse(pair, "'" + file + "' for '" + key + "'");
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          "cannot read credentials in '" + file + "' for '" + key + "': 'auth' is not base64");
    }
  }
}
