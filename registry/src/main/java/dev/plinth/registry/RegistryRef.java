package dev.plinth.registry;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A registry reference, {@code [HOST[:PORT]/]REPO[:TAG][@sha256:HEX]}, as Docker reads it: with no
 * host, Docker Hub ({@code docker.io}, and {@code library/} before a one-part name); with neither
 * tag nor digest, {@code latest}.
 *
 * @param host the registry as named ({@code localhost:5000}, {@code docker.io})
 * @param repository e.g. {@code team/app}
 * @param tag the tag, or null when only a digest is given
 * @param digest the digest, or null
 */
public record RegistryRef(String host, String repository, String tag, Digest digest) {
  private static final Pattern REPO =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern HOST =
      Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
          + "|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

  public static final String DOCKER_HUB = "docker.io";

  /**
   * Parses a reference ({@code docker://} before it is accepted).
   *
   * @throws PlinthException (usage) naming the reference and what is wrong with it
   */
  public static RegistryRef parse(String text) throws PlinthException {
    String t = text.startsWith("docker://") ? text.substring("docker://".length()) : text;
    if (t.isEmpty() || t.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw usage(text, "it is empty or has spaces or control characters");
    }
    Digest digest = null;
    int at = t.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(t.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw usage(text, "'" + t.substring(at + 1) + "' is not a sha256:HEX digest");
      }
      t = t.substring(0, at);
    }
    String host = DOCKER_HUB;
    String rest = t;
    int slash = t.indexOf('/');
    if (slash > 0) {
      String first = t.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")
          || first.startsWith("[")) {
        host = first;
        rest = t.substring(slash + 1);
      }
    }
    if (!HOST.matcher(host).matches()) {
      throw usage(text, "'" + host + "' is not a registry host[:port]");
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw usage(text, "'" + tag + "' is not a valid tag");
      }
    }
    if (!REPO.matcher(rest).matches() || rest.length() > 255) {
      throw usage(text, "'" + rest + "' is not a valid repository name (lowercase letters, digits,"
          + " . _ - and /)");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      host = DOCKER_HUB;
    }
    if (host.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new RegistryRef(host, rest, tag, digest);
  }

  /** What to ask the registry for: the digest when there is one, else the tag. */
  public String reference() {
    return digest != null ? digest.toString() : tag;
  }

  /** The host to connect to (Docker Hub's API lives on registry-1.docker.io). */
  public String apiHost() {
    return host.equals(DOCKER_HUB) ? "registry-1.docker.io" : host;
  }

  /** This repository at another reference. */
  public RegistryRef withDigest(Digest d) {
    return new RegistryRef(host, repository, null, d);
  }

  /** The host without its port, lowercase, without IPv6 brackets. */
  static String hostName(String hostPort) {
    String h = hostPort;
    if (h.startsWith("[")) {
      return h.substring(1, h.indexOf(']')).toLowerCase(Locale.ROOT);
    }
    int c = h.lastIndexOf(':');
    return (c >= 0 ? h.substring(0, c) : h).toLowerCase(Locale.ROOT);
  }

  /** localhost, 127.0.0.0/8 or ::1: plain HTTP is allowed there. */
  static boolean isLoopback(String hostPort) {
    String h = hostName(hostPort);
    return h.equals("localhost") || h.endsWith(".localhost") || h.matches("127(\\.[0-9]{1,3}){3}")
        || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }

  private static PlinthException usage(String text, String why) {
    return new PlinthException(PlinthException.Kind.USAGE,
        "image reference '" + text + "': " + why + ". A registry reference is written"
            + " HOST[:PORT]/REPO[:TAG][@sha256:DIGEST], e.g. localhost:5000/team/app:1");
  }

  @Override
  public String toString() {
    return host + "/" + repository + (tag != null ? ":" + tag : "")
        + (digest != null ? "@" + digest : "");
  }
}
