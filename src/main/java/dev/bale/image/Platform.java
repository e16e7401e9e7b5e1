package dev.bale.image;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The platform an image runs on, as image configs and indexes spell it, and the Guix/Nix system
 * name it comes from.
 *
 * @param system the system name, such as {@code x86_64-linux}
 * @param architecture the Go architecture name, such as {@code amd64}
 * @param os the operating system, {@code linux}
 * @param variant the CPU variant, such as {@code v7}, or empty
 */
public record Platform(String system, String architecture, String os, String variant) {
  private static final Map<String, Platform> BY_SYSTEM = new LinkedHashMap<>();

  static {
    for (Platform p :
        new Platform[] {
          new Platform("x86_64-linux", "amd64", "linux", ""),
          new Platform("i686-linux", "386", "linux", ""),
          new Platform("aarch64-linux", "arm64", "linux", ""),
          new Platform("armhf-linux", "arm", "linux", "v7"),
          new Platform("mips64el-linux", "mips64le", "linux", ""),
          new Platform("powerpc64le-linux", "ppc64le", "linux", ""),
          new Platform("riscv64-linux", "riscv64", "linux", ""),
          new Platform("s390x-linux", "s390x", "linux", "")
        }) {
      BY_SYSTEM.put(p.system, p);
    }
  }

  /**
   * Returns the platform of the system named {@code system}.
   *
   * @throws ImageException if bale knows no such system; the message lists the known ones
   */
  public static Platform forSystem(String system) throws ImageException {
    Platform platform = BY_SYSTEM.get(system);
    if (platform == null) {
      throw new ImageException(
          "unknown system '" + system + "': use one of " + String.join(", ", BY_SYSTEM.keySet()));
    }
    return platform;
  }

  /**
   * Returns the platform of the machine bale runs on.
   *
   * @throws ImageException if the JVM reports an architecture bale cannot map
   */
  public static Platform current() throws ImageException {
    String arch = System.getProperty("os.arch");
    String system =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64-linux";
          case "x86", "i386", "i686" -> "i686-linux";
          case "aarch64" -> "aarch64-linux";
          case "arm" -> "armhf-linux";
          case "mips64el" -> "mips64el-linux";
          case "ppc64le" -> "powerpc64le-linux";
          case "riscv64" -> "riscv64-linux";
          case "s390x" -> "s390x-linux";
          default ->
              throw new ImageException(
                  "cannot tell the system of this machine from architecture '"
                      + arch
                      + "': give one with --system");
        };
    return forSystem(system);
  }

  /** Returns the system names bale knows, in a fixed order. */
  public static Iterable<String> systems() {
    return BY_SYSTEM.keySet();
  }
}
