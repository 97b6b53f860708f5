package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transports a program knows, by prefix: the one place a reference is turned into a source
 * or a sink. {@link #local} are those of files and directories this module implements; the
 * builder adds the registry and the daemon.
 */
public final class Transports {
  private final Map<String, Transport> byPrefix;

  private Transports(Map<String, Transport> byPrefix) {
    this.byPrefix = byPrefix;
  }

  /**
   * {@code oci:}, {@code oci-archive:}, {@code dir:} and {@code docker-archive:}.
   *
   * @param mtime the time (seconds since 1970) archive entries are written with
   */
  public static Transports local(long mtime) {
    Map<String, Transport> m = new LinkedHashMap<>();
    m.put(ImageRef.OCI, new OciLayoutTransport());
    m.put(ImageRef.OCI_ARCHIVE, new OciArchiveTransport(mtime));
    m.put(ImageRef.DIR, new DirTransport());
    m.put(ImageRef.DOCKER_ARCHIVE, new DockerArchiveTransport(mtime));
    return new Transports(m);
  }

  /** {@link #local(long)} writing archive entries dated 1970. */
  public static Transports local() {
    return local(0);
  }

  /**
   * These transports and {@code t} for references that start {@code prefix} (as {@link
   * ImageRef#transport()} gives it), in place of one there was.
   */
  public Transports with(String prefix, Transport t) {
    Map<String, Transport> m = new LinkedHashMap<>(byPrefix);
    m.put(prefix, t);
    return new Transports(m);
  }

  /** The prefixes known, in the order they were given. */
  public List<String> prefixes() {
    return new ArrayList<>(byPrefix.keySet());
  }

  /** The transport of {@code ref}; USAGE when none is known here. */
  public Transport transport(ImageRef ref) throws PlinthException {
    Transport t = byPrefix.get(ref.transport());
    if (t == null) {
      throw new PlinthException(PlinthException.Kind.USAGE, ref + ": the " + ref.transport()
          + " transport is not available here (known: " + String.join(", ", prefixes()) + ")");
    }
    return t;
  }

  public ImageSource source(ImageRef ref) throws PlinthException {
    return transport(ref).source(ref);
  }

  public ImageSink sink(ImageRef ref) throws PlinthException {
    return transport(ref).sink(ref);
  }

  /** Reads everything {@code ref} names. */
  public ImageIndex read(ImageRef ref) throws IOException, PlinthException {
    return source(ref).read();
  }
}
