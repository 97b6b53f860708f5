package dev.plinth.oci;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where an image is read from or written to, named as containers-transports(5) names it: {@code
 * oci:DIR[:TAG]}, {@code oci-archive:FILE[:TAG]}, {@code dir:DIR}, {@code
 * docker-archive:FILE[:NAME[:TAG]]}, {@code docker-daemon:NAME[:TAG]}, or a registry reference
 * ({@code host/repo:tag}, optionally {@code docker://}). Which code reads and writes each is a
 * {@link Transport}, found in {@link Transports} by {@link #transport()}.
 *
 * @param transport the transport's prefix: {@link #OCI}, {@link #REGISTRY}...
 * @param path the directory or file (null for a registry or daemon reference)
 * @param name the tag ({@code oci}, {@code oci-archive}), {@code name:tag} ({@code
 *     docker-archive}, {@code docker-daemon}) or the whole reference (registry); null when absent
 */
public record ImageRef(String transport, Path path, String name) {
  public static final String OCI = "oci";
  public static final String OCI_ARCHIVE = "oci-archive";
  /** skopeo's directory of loose files: manifest.json, version and one file per blob. */
  public static final String DIR = "dir";
  public static final String DOCKER_ARCHIVE = "docker-archive";
  /** A Docker or Podman daemon, over the Engine API socket: {@code docker-daemon:NAME:TAG}. */
  public static final String DOCKER_DAEMON = "docker-daemon";
  /** A registry: {@code docker://host/repo:tag}, or {@code host/repo:tag} alone. */
  public static final String REGISTRY = "docker";

  /** The forms accepted, for messages and help. */
  public static final String FORMS = "oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:DIR,"
      + " docker-archive:FILE[:NAME:TAG], docker-daemon:NAME:TAG or a registry reference such as"
      + " localhost:5000/app:1";

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern OCI_REF = Pattern.compile("[A-Za-z0-9_.:@/+-]+");
  private static final Pattern REPO =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");

  /**
   * Parses a reference.
   *
   * @throws PlinthException (usage) naming the reference and the accepted forms
   */
  public static ImageRef parse(String text) throws PlinthException {
    if (text == null || text.isBlank()) {
      throw usage(text, "it is empty");
    }
    int colon = text.indexOf(':');
    String scheme = colon < 0 ? "" : text.substring(0, colon);
    String rest = colon < 0 ? "" : text.substring(colon + 1);
    switch (scheme) {
      case OCI, OCI_ARCHIVE -> {
        int c = rest.indexOf(':');
        String path = c < 0 ? rest : rest.substring(0, c);
        String tag = c < 0 ? null : rest.substring(c + 1);
        if (path.isEmpty()) {
          throw usage(text, "the path is empty");
        }
        if (tag != null && !OCI_REF.matcher(tag).matches()) {
          throw usage(text, "'" + tag + "' is not a valid tag");
        }
        return new ImageRef(scheme, Path.of(path), tag);
      }
      case DIR -> {
        if (rest.isEmpty()) {
          throw usage(text, "the path is empty");
        }
        return new ImageRef(DIR, Path.of(rest), null);
      }
      case DOCKER_ARCHIVE -> {
        int c = rest.indexOf(':');
        String path = c < 0 ? rest : rest.substring(0, c);
        String ref = c < 0 ? null : rest.substring(c + 1);
        if (path.isEmpty()) {
          throw usage(text, "the path is empty");
        }
        if (ref != null) {
          ref = normalizeNameTag(text, ref);
        }
        return new ImageRef(DOCKER_ARCHIVE, Path.of(path), ref);
      }
      case DOCKER_DAEMON -> {
        if (rest.isEmpty()) {
          throw usage(text, "name the image: docker-daemon:NAME[:TAG] (or an image ID)");
        }
        String name = rest.matches("(sha256:)?[0-9a-f]{12,64}") ? rest : normalizeNameTag(text, rest);
        return new ImageRef(DOCKER_DAEMON, null, name);
      }
      case REGISTRY -> {
        if (!rest.startsWith("//")) {
          throw usage(text, "a registry reference is written docker://host/repo:tag");
        }
        return registry(text, rest.substring(2));
      }
      default -> {
        if (text.contains("/") && !text.startsWith("/") && !text.startsWith(".")) {
          return registry(text, text);
        }
        throw usage(text, "it names no known transport");
      }
    }
  }

  /**
   * The tag this reference names: an OCI layout's or archive's tag, the tag of a name:tag, a
   * registry reference's tag ({@code latest} when it names neither tag nor digest); null when it
   * names none (a digest, an image ID, a dir:).
   */
  public String tag() {
    if (name == null) {
      return null;
    }
    switch (transport) {
      case OCI, OCI_ARCHIVE -> {
        return name;
      }
      case REGISTRY -> {
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        if (name.contains("@")) {
          return null;
        }
        return colon > slash ? name.substring(colon + 1) : "latest";
      }
      default -> {
        if (name.startsWith("sha256:") || name.matches("[0-9a-f]{12,64}")) {
          return null;
        }
        return name.substring(name.lastIndexOf(':') + 1);
      }
    }
  }

  /**
   * The same image under another tag: of the same layout or archive ({@code oci:}, {@code
   * oci-archive:}), the same repository ({@code docker-archive:}, {@code docker-daemon:}, a
   * registry; a registry reference's own tag or digest is replaced).
   *
   * @throws PlinthException (usage) when {@code tag} is not a tag, or this reference cannot be
   *     tagged (a {@code dir:}, an image ID, a docker-archive without a name)
   */
  public ImageRef withTag(String tag) throws PlinthException {
    String text = toString();
    if (tag == null || !TAG.matcher(tag).matches()) {
      throw new PlinthException(PlinthException.Kind.USAGE, "tag '" + tag + "' for " + text
          + ": a tag is letters, digits, _ . - (at most 128, not starting with . or -)");
    }
    String repo = name;
    switch (transport) {
      case OCI, OCI_ARCHIVE -> {
        return new ImageRef(transport, path, tag);
      }
      case REGISTRY -> {
        repo = name.contains("@") ? name.substring(0, name.indexOf('@')) : name;
        if (repo.lastIndexOf(':') > repo.lastIndexOf('/')) {
          repo = repo.substring(0, repo.lastIndexOf(':'));
        }
        return parse(REGISTRY + "://" + repo + ":" + tag);
      }
      case DOCKER_ARCHIVE, DOCKER_DAEMON -> {
        if (name == null || tag() == null) {
          throw new PlinthException(PlinthException.Kind.USAGE, text + " has no name to tag:"
              + " name it, e.g. " + transport + ":" + (path == null ? "" : path + ":")
              + "app:1");
        }
        repo = name.substring(0, name.lastIndexOf(':'));
        return parse(transport + ":" + (path == null ? "" : path + ":") + repo + ":" + tag);
      }
      default -> throw new PlinthException(PlinthException.Kind.USAGE, text
          + " holds no tags (a dir: holds one image); write oci:, oci-archive: or a registry");
    }
  }

  /**
   * This reference's {@link #name} (when it has one) and the names of {@link #withTag} each of
   * {@code tags}, without repeats: what an archive holding them all lists.
   */
  public java.util.List<String> namesWith(java.util.List<String> tags) throws PlinthException {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (name != null) {
      out.add(name);
    }
    for (String tag : tags) {
      String n = withTag(tag).name();
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static ImageRef registry(String text, String ref) throws PlinthException {
    if (ref.isEmpty() || ref.contains(" ")) {
      throw usage(text, "the registry reference is empty or has spaces");
    }
    return new ImageRef(REGISTRY, null, ref);
  }

  private static String normalizeNameTag(String text, String ref) throws PlinthException {
    String repo = ref;
    String tag = "latest";
    int slash = ref.lastIndexOf('/');
    int c = ref.lastIndexOf(':');
    if (c > slash) {
      repo = ref.substring(0, c);
      tag = ref.substring(c + 1);
    }
    String path = repo;
    int firstSlash = repo.indexOf('/');
    if (firstSlash > 0) {
      String host = repo.substring(0, firstSlash);
      if (host.contains(".") || host.contains(":") || host.equals("localhost")) {
        path = repo.substring(firstSlash + 1);
      }
    }
    if (!REPO.matcher(path).matches()) {
      throw usage(text, "'" + repo + "' is not a valid image name (lowercase, digits, . _ - /)");
    }
    if (!TAG.matcher(tag).matches()) {
      throw usage(text, "'" + tag + "' is not a valid tag");
    }
    return repo + ":" + tag;
  }

  private static PlinthException usage(String text, String why) {
    return new PlinthException(
        PlinthException.Kind.USAGE,
        "image reference '" + text + "': " + why + ". Use " + FORMS);
  }

  @Override
  public String toString() {
    if (transport.equals(REGISTRY)) {
      return name;
    }
    if (path == null) {
      return transport + ":" + name;
    }
    return transport + ":" + path + (name == null ? "" : ":" + name);
  }
}
