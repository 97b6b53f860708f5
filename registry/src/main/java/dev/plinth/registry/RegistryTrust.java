package dev.plinth.registry;

import dev.plinth.http.Pem;
import dev.plinth.http.Tls;
import dev.plinth.http.Trust;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.SmallFiles;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * How plinth speaks TLS to a registry: its certificate checked against the JDK's CAs, plus a
 * private CA ({@code PLINTH_REGISTRY_CA}) and the CAs of the registry's certs.d directory; and the
 * client certificate of that directory presented when the registry asks for one. The certs.d
 * directory is read as containers/image reads it: the first of {@link RegistryOptions#certDirs()}
 * that has a {@code HOST[:PORT]} subdirectory; in it every {@code *.crt} is a CA, every {@code
 * *.cert} a client certificate whose key is the {@code *.key} of the same name.
 */
final class RegistryTrust {
  /** The most bytes a certificate or key file may have. */
  private static final long MAX_FILE = 1 << 20;

  private RegistryTrust() {}

  /**
   * The TLS context for the registry at {@code host} (host[:port]), made on the first https
   * connection; files are read now.
   */
  static Supplier<SSLContext> of(RegistryOptions o, String host, boolean insecure) throws PlinthException {
    Path dir = certDir(o, host);
    KeyManager client = dir == null ? null : client(dir);
    if (insecure) {
      return Tls.lazy(Trust.all(), client);
    }
    List<byte[]> cas = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (o.caFile() != null) {
      cas.add(read(o.caFile(), "PLINTH_REGISTRY_CA=" + o.caFile()));
      names.add("PLINTH_REGISTRY_CA=" + o.caFile());
    }
    if (dir != null) {
      for (Path crt : list(dir, ".crt")) {
        cas.add(read(crt, crt.toString()));
        names.add(crt.toString());
      }
    }
    if (cas.isEmpty()) {
      return Tls.lazy(Trust.system(), client);
    }
    try {
      // the JDK's CA store is loaded on the first TLS handshake, not for plain-HTTP registries
      return Tls.lazy(Trust.systemOr(Pem.trust(cas, String.join(", ", names))), client);
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      throw new PlinthException(Kind.USAGE, String.join(", ", names)
          + " is not a PEM certificate file: " + e.getMessage());
    }
  }

  /** The certs.d directory of {@code host}: the first root that has one, or null. */
  static Path certDir(RegistryOptions o, String host) {
    if (host.isEmpty() || host.contains("/") || host.startsWith(".")) {
      return null;
    }
    for (Path root : o.certDirs()) {
      Path d = root.resolve(host);
      if (Files.isDirectory(d)) {
        return d;
      }
    }
    return null;
  }

  /** The client certificate of a certs.d directory, or null when it has none. */
  private static KeyManager client(Path dir) throws PlinthException {
    List<Path> certs = list(dir, ".cert");
    List<Path> keys = list(dir, ".key");
    for (Path k : keys) {
      String base = k.getFileName().toString().replaceFirst("\\.key$", "");
      if (!Files.exists(dir.resolve(base + ".cert"))) {
        throw new PlinthException(Kind.USAGE, k + " has no certificate beside it: name it "
            + dir.resolve(base + ".cert") + " (container tools refuse a lone key too)");
      }
    }
    if (certs.isEmpty()) {
      return null;
    }
    if (certs.size() > 1) {
      throw new PlinthException(Kind.USAGE, dir + " holds " + certs.size() + " client"
          + " certificates (*.cert); keep one");
    }
    Path cert = certs.get(0);
    Path key = dir.resolve(cert.getFileName().toString().replaceFirst("\\.cert$", "") + ".key");
    if (!Files.exists(key)) {
      throw new PlinthException(Kind.USAGE, cert + " has no key beside it: put the private key"
          + " in " + key);
    }
    try {
      return Pem.client(read(cert, cert.toString()),
          read(key, key.toString()), cert.toString());
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      throw new PlinthException(Kind.USAGE, cert + " and " + key + " are not a usable client"
          + " certificate and key: " + e.getMessage());
    }
  }

  private static List<Path> list(Path dir, String suffix) throws PlinthException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, dir + " cannot be read: " + e.getMessage());
    }
  }

  private static byte[] read(Path f, String what) throws PlinthException {
    try {
      return SmallFiles.read(f, MAX_FILE, what);
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, what + " cannot be read: " + e.getMessage());
    }
  }
}
