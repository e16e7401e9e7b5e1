package dev.bale.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.hash.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How an image runs and where: its platform, creation time, entry point, command, environment,
 * labels, working directory, user and exposed ports. Empty values are left out of the config.
 */
public record ImageConfig(
    Platform platform,
    Instant created,
    List<String> entrypoint,
    List<String> cmd,
    List<String> env,
    SortedMap<String, String> labels,
    String workingDir,
    String user,
    SortedSet<String> exposedPorts) {

  /** The creation time when none is given: one second after the epoch, as Guix uses. */
  public static final Instant DEFAULT_CREATED = Instant.ofEpochSecond(1);

  /** Copies the collections. */
  public ImageConfig {
    Objects.requireNonNull(platform);
    Objects.requireNonNull(created);
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    env = List.copyOf(env);
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    Objects.requireNonNull(workingDir);
    Objects.requireNonNull(user);
    exposedPorts = Collections.unmodifiableSortedSet(new TreeSet<>(exposedPorts));
  }

  /** Returns a builder for an image on {@code platform}, created at {@link #DEFAULT_CREATED}. */
  public static Builder builder(Platform platform) {
    return new Builder(platform);
  }

  /**
   * Returns the config document of an image with {@code layers}, whose uncompressed tars have
   * {@code diffIds}, in a fixed key order so that equal images give equal bytes.
   */
  public byte[] toJson(List<Layer> layers, List<Digest> diffIds) {
    if (layers.size() != diffIds.size()) {
      throw new IllegalArgumentException(layers.size() + " layers but " + diffIds.size());
    }
    ObjectNode root = Json.object();
    root.put("created", created.toString());
    root.put("architecture", platform.architecture());
    if (!platform.variant().isEmpty()) {
      root.put("variant", platform.variant());
    }
    root.put("os", platform.os());
    root.set("config", runtimeConfig());

    ObjectNode rootfs = root.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode ids = rootfs.putArray("diff_ids");
    diffIds.forEach(id -> ids.add(id.toString()));

    ArrayNode history = root.putArray("history");
    for (Layer layer : layers) {
      ObjectNode step = history.addObject();
      step.put("created", created.toString());
      step.put("created_by", "bale pack");
      step.put("comment", layer.description());
    }
    return Json.write(root);
  }

  private ObjectNode runtimeConfig() {
    ObjectNode config = Json.object();
    if (!user.isEmpty()) {
      config.put("User", user);
    }
    if (!exposedPorts.isEmpty()) {
      ObjectNode ports = config.putObject("ExposedPorts");
      exposedPorts.forEach(port -> ports.putObject(port));
    }
    if (!env.isEmpty()) {
      env.forEach(config.putArray("Env")::add);
    }
    if (!entrypoint.isEmpty()) {
      entrypoint.forEach(config.putArray("Entrypoint")::add);
    }
    if (!cmd.isEmpty()) {
      cmd.forEach(config.putArray("Cmd")::add);
    }
    if (!workingDir.isEmpty()) {
      config.put("WorkingDir", workingDir);
    }
    if (!labels.isEmpty()) {
      ObjectNode node = config.putObject("Labels");
      labels.forEach(node::put);
    }
    return config;
  }

  /** Collects the optional parts of a config. */
  public static final class Builder {
    private final Platform platform;
    private Instant created = DEFAULT_CREATED;
    private List<String> entrypoint = List.of();
    private List<String> cmd = List.of();
    private final List<String> env = new ArrayList<>();
    private final Map<String, String> labels = new TreeMap<>();
    private String workingDir = "";
    private String user = "";
    private final SortedSet<String> exposedPorts = new TreeSet<>();

    private Builder(Platform platform) {
      this.platform = Objects.requireNonNull(platform);
    }

    /** Sets the creation time. */
    public Builder created(Instant value) {
      created = value;
      return this;
    }

    /** Sets the entry point: the program and its first arguments. */
    public Builder entrypoint(List<String> value) {
      entrypoint = List.copyOf(value);
      return this;
    }

    /** Sets the command, the entry point's default arguments (or the program when none). */
    public Builder cmd(List<String> value) {
      cmd = List.copyOf(value);
      return this;
    }

    /** Adds an environment variable, {@code KEY=VALUE}. */
    public Builder env(String keyValue) {
      env.add(keyValue);
      return this;
    }

    /** Adds a label. */
    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /** Sets the working directory. */
    public Builder workingDir(String value) {
      workingDir = value;
      return this;
    }

    /** Sets the user, as a name or {@code UID[:GID]}. */
    public Builder user(String value) {
      user = value;
      return this;
    }

    /** Adds an exposed port, {@code PORT/PROTOCOL}. */
    public Builder expose(String port) {
      exposedPorts.add(port);
      return this;
    }

    /** Returns the config. */
    public ImageConfig build() {
      return new ImageConfig(
          platform,
          created,
          entrypoint,
          cmd,
          env,
          new TreeMap<>(labels),
          workingDir,
          user,
          exposedPorts);
    }
  }
}
