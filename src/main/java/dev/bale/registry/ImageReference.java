package dev.bale.registry;

import dev.bale.hash.Digest;
import java.util.regex.Pattern;

/**
 * A reference to an image in a registry, {@code host[:port]/repository[:tag][@digest]}, with the
 * Docker Hub defaults filled in: {@code busybox} is {@code docker.io/library/busybox:latest}.
 *
 * @param registry the registry as users name it, such as {@code docker.io} or {@code
 *     127.0.0.1:5000}
 * @param repository the repository, such as {@code library/busybox}
 * @param tag the tag, or null when the reference names only a digest
 * @param digest the manifest digest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  /** The registry that references without a host name. */
  public static final String DOCKER_HUB = "docker.io";

  private static final String DOCKER_HUB_API = "registry-1.docker.io";
  private static final String DEFAULT_TAG = "latest";
  private static final Pattern HOST =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*"
              + "[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final int MAX_REPOSITORY_LENGTH = 255;

  /** Checks every part, so that a reference that exists is valid. */
  public ImageReference {
    if (!HOST.matcher(registry).matches()) {
      throw new IllegalArgumentException("bad registry host '" + registry + "'");
    }
    if (repository.length() > MAX_REPOSITORY_LENGTH) {
      throw new IllegalArgumentException("repository name longer than 255 characters");
    }
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("bad repository name '" + repository + "'");
      }
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("bad tag '" + tag + "'");
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("a reference needs a tag or a digest");
    }
  }

  /**
   * Parses {@code text}, filling in {@code docker.io}, {@code library/} and {@code latest} the way
   * docker and podman do.
   *
   * @throws RegistryException naming the reference and what is wrong with it
   */
  public static ImageReference parse(String text) throws RegistryException {
    try {
      return parseOrThrow(text);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          "bad image reference '"
              + text
              + "': "
              + e.getMessage()
              + " (expected HOST[:PORT]/REPOSITORY[:TAG][@sha256:HEX], lower-case repository)");
    }
  }

  private static ImageReference parseOrThrow(String text) {
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Digest.parse(rest.substring(at + 1));
      if (!digest.toString().equals(rest.substring(at + 1))) {
        throw new IllegalArgumentException("the digest must be sha256: and 64 hex digits");
      }
      rest = rest.substring(0, at);
    }

    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    if (tag == null && digest == null) {
      tag = DEFAULT_TAG;
    }

    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("the repository name is missing");
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  /** Returns the host and port that serve the API: Docker Hub's API lives on its own host. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
  }

  /** Returns the host name alone, without port or IPv6 brackets. */
  String hostName() {
    String host = registry;
    if (host.startsWith("[")) {
      return host.substring(1, host.indexOf(']'));
    }
    int colon = host.lastIndexOf(':');
    return colon >= 0 ? host.substring(0, colon) : host;
  }

  /** Returns the tag, or the digest when there is no tag, as manifest URLs take it. */
  String manifestKey() {
    return tag != null ? tag : digest.toString();
  }

  /** Returns the same image named by {@code manifestDigest}, with the tag kept. */
  public ImageReference withDigest(Digest manifestDigest) {
    return new ImageReference(registry, repository, tag, manifestDigest);
  }

  /** Returns {@code registry/repository} without tag or digest. */
  public String repositoryName() {
    return registry + "/" + repository;
  }

  /** Returns the full reference, {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    return repositoryName() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
