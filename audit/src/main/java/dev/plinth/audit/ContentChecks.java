package dev.plinth.audit;

import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What the image holds: PL020-PL024 (tools and data) and PL030-PL035 (secrets, leftovers). */
final class ContentChecks {
  private static final List<String> PROGRAM_DIRS =
      List.of("bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin", "usr/local/sbin");
  private static final List<String> CA_BUNDLES = List.of(
      "etc/ssl/certs/ca-certificates.crt", "etc/pki/tls/certs/ca-bundle.crt", "etc/ssl/cert.pem",
      "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "etc/ssl/ca-bundle.pem",
      "etc/pki/tls/cacert.pem");
  private static final List<String> TLS_LIBRARIES =
      List.of("libssl.so", "libgnutls.so", "libnss3.so", "libcurl.so", "libcurl-gnutls.so");
  private static final Set<String> JUNK_DIRS = Set.of(".git", ".svn", ".hg", ".cache");
  private static final Set<String> JUNK_FILES = Set.of("Dockerfile", "Containerfile",
      ".dockerignore", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
      ".DS_Store", "Thumbs.db");
  /** Package caches: what DKL-DI-0004/0005 call "clear the cache". */
  private static final List<String[]> CACHES = List.of(
      new String[] {"var/lib/apt/lists", "apt package lists", "rm -rf /var/lib/apt/lists/*"},
      new String[] {"var/cache/apt", "apt's package cache", "apt-get clean"},
      new String[] {"var/cache/apk", "apk's package cache", "apk add --no-cache"},
      new String[] {"var/cache/yum", "yum's cache", "yum clean all"},
      new String[] {"var/cache/dnf", "dnf's cache", "dnf clean all"},
      new String[] {"tmp", "files left in /tmp", "remove them in the RUN that made them"},
      new String[] {"var/tmp", "files left in /var/tmp", "remove them in the RUN that made them"});

  static void check(ImageContext c) {
    caBundle(c);
    tzdata(c);
    tools(c, Rule.PL022, List.of("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh",
        "busybox"));
    tools(c, Rule.PL023, List.of("apt", "apt-get", "dpkg", "apk", "yum",
        "dnf", "microdnf", "rpm", "zypper", "pip", "pip3"));
    tools(c, Rule.PL024, List.of("sudo", "doas"));
    environment(c);
    history(c);
    files(c);
    caches(c);
  }

  /** PL020: a CA bundle, a warning only when something in the image speaks TLS. */
  private static void caBundle(ImageContext c) {
    String certFile = c.env.get("SSL_CERT_FILE");
    if (certFile != null) {
      FsTree.Node n = c.tree.resolve(certFile);
      if (n == null || !n.isFile() || n.size() == 0) {
        c.add(Rule.PL020, Severity.WARNING, certFile, "SSL_CERT_FILE=" + certFile + " names a"
            + " file the image lacks: TLS connections fail to verify servers");
      }
      return;
    }
    for (String b : CA_BUNDLES) {
      FsTree.Node n = c.tree.resolve(b);
      if (n != null && n.isFile() && n.size() > 0) {
        return;
      }
    }
    String certs = c.tree.lookup("etc/ssl/certs", true);
    if (certs != null && c.tree.below(certs).values().stream().anyMatch(FsTree.Node::isFile)) {
      return;
    }
    String tls = tlsUser(c);
    if (tls != null) {
      c.add(Rule.PL020, Severity.WARNING, null, tls + ", and its TLS connections will fail to"
          + " verify servers");
    } else {
      c.add(Rule.PL020, Severity.INFO, null, "nothing links a TLS library, but a static program"
          + " (Go) that makes TLS connections would need one (a Java runtime has its own"
          + " cacerts)");
    }
  }

  /** Something that makes TLS connections through the system's CA store, or null. */
  private static String tlsUser(ImageContext c) {
    for (Map.Entry<String, FsTree.Node> e : c.tree.all().entrySet()) {
      FileFacts f = e.getValue().facts();
      if (f == null || f.elf() == null) {
        continue;
      }
      for (String lib : f.elf().needed()) {
        for (String tls : TLS_LIBRARIES) {
          if (lib.startsWith(tls)) {
            return "/" + e.getKey() + " links " + lib;
          }
        }
      }
    }
    for (String tool : List.of("curl", "wget", "openssl")) {
      for (String dir : PROGRAM_DIRS) {
        FsTree.Node n = c.tree.resolve(dir + "/" + tool);
        if (n != null && n.isFile()) {
          return "/" + dir + "/" + tool + " is installed";
        }
      }
    }
    return null;
  }

  /** PL021: a timezone database; a warning when TZ names a zone there is no data for. */
  private static void tzdata(ImageContext c) {
    String zoneinfo = c.tree.lookup("usr/share/zoneinfo", true);
    if (zoneinfo != null && c.tree.get(zoneinfo).isDirectory()
        && !c.tree.below(zoneinfo).isEmpty()) {
      return;
    }
    String tz = c.env.get("TZ");
    boolean java = c.tree.all().keySet().stream().anyMatch(p -> p.endsWith("lib/tzdb.dat"));
    if (tz != null && !tz.isEmpty() && !tz.equals("UTC") && !tz.startsWith(":")
        && !tz.matches("[A-Z]{3,}[-+0-9].*")) {
      c.add(Rule.PL021, Severity.WARNING, null, "TZ=" + tz + ", but the image has no"
          + " /usr/share/zoneinfo: programs fall back to UTC" + (java ? " (Java uses its own"
              + " lib/tzdb.dat)" : ""));
    } else {
      c.add(Rule.PL021, null, "no /usr/share/zoneinfo: local times other than UTC are unknown"
          + (java ? " (Java has its own in lib/tzdb.dat)" : ""));
    }
  }

  /** PL022-PL024: programs by name in the usual directories. */
  private static void tools(ImageContext c, Rule rule, List<String> names) {
    List<String> found = new ArrayList<>();
    for (String name : names) {
      for (String dir : PROGRAM_DIRS) {
        FsTree.Node n = c.tree.resolve(dir + "/" + name);
        if (n != null && n.isFile()) {
          found.add("/" + dir + "/" + name);
          break;
        }
      }
    }
    if (!found.isEmpty()) {
      c.add(rule, found.get(0), "installed: " + ImageContext.list(found, 6));
    }
  }

  /** PL030, PL031: Env and Labels. */
  private static void environment(ImageContext c) {
    for (Map.Entry<String, String> e : c.env.entrySet()) {
      value(c, "Env " + e.getKey(), e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : c.config.labels().entrySet()) {
      value(c, "the label " + e.getKey(), e.getKey(), e.getValue());
    }
  }

  private static void value(ImageContext c, String what, String key, String value) {
    String kind = Secrets.tokenKind(value);
    if (kind != null) {
      c.add(Rule.PL030, null, what + " holds " + kind + ": everyone who can pull the image can"
          + " read it");
    } else if (Secrets.isSecretName(key) && Secrets.isLiteral(value)) {
      c.add(Rule.PL030, null, what + " holds a literal value (" + value.length()
          + " characters): everyone who can pull the image can read it");
    } else if (Secrets.looksRandom(key, value)) {
      c.add(Rule.PL031, null, what + " holds a random-looking value of " + value.length()
          + " characters");
    }
  }

  /** PL032: build commands in the history that show a secret. */
  private static void history(ImageContext c) {
    List<ImageConfig.History> history = c.document.historyOrEmpty();
    for (int i = 0; i < history.size(); i++) {
      String command = history.get(i).createdBy() == null ? "" : history.get(i).createdBy();
      for (String reason : new LinkedHashSet<>(Secrets.inCommand(command))) {
        c.add(Rule.PL032, null, "history entry " + (i + 1) + ": " + reason);
      }
    }
  }

  /** PL033-PL035: keys, credential files, and leftovers. */
  private static void files(ImageContext c) {
    String reportedDir = null;
    for (Map.Entry<String, FsTree.Node> e : c.tree.all().entrySet()) {
      String path = e.getKey();
      FsTree.Node n = e.getValue();
      String base = FsTree.name(path);
      if (reportedDir != null && path.startsWith(reportedDir + "/")) {
        continue;
      }
      reportedDir = null;
      if (n.isDirectory() && JUNK_DIRS.contains(base)) {
        long[] size = sizeBelow(c.tree, path);
        c.add(Rule.PL035, path, "a " + base + " directory (" + size[0] + " files, "
            + Sizes.decimal(size[1]) + ")");
        reportedDir = path;
        continue;
      }
      if (!n.isFile()) {
        continue;
      }
      FileFacts f = n.facts();
      String cred = f != null && f.content() != null
          ? Secrets.credentialsIn(base, FsTree.name(FsTree.parent(path)), f.content()) : null;
      if (f != null && f.privateKey()) {
        if (isTestData(path)) {
          c.add(Rule.PL034, path, "a private key in what looks like test data");
        } else {
          c.add(Rule.PL033, path, "a private key: whoever pulls the image has it");
        }
      } else if (cred != null) {
        c.add(Rule.PL033, path, "it holds " + cred);
      } else if (Secrets.credentialName(base) != null) {
        c.add(Rule.PL034, path, Secrets.credentialName(base));
      } else if (JUNK_FILES.contains(base) || base.endsWith(".swp")) {
        c.add(Rule.PL035, path, "a build leftover (" + base + ")");
      }
    }
  }

  /** PL035: package caches and temporary files. */
  private static void caches(ImageContext c) {
    for (String[] cache : CACHES) {
      String dir = c.tree.lookup(cache[0], true);
      if (dir == null || !c.tree.get(dir).isDirectory()) {
        continue;
      }
      long files = 0;
      long bytes = 0;
      for (Map.Entry<String, FsTree.Node> e : c.tree.below(dir).entrySet()) {
        String rel = e.getKey().substring(dir.length() + 1);
        if (!e.getValue().isFile() || rel.equals("lock") || rel.startsWith("partial/")
            || rel.startsWith("auxfiles/")) {
          continue;
        }
        files++;
        bytes += e.getValue().size();
      }
      if (files > 0) {
        c.add(Rule.PL035, "/" + cache[0], cache[1] + ": " + files + " files, "
            + Sizes.decimal(bytes) + " (" + cache[2] + ")");
      }
    }
  }

  private static long[] sizeBelow(FsTree tree, String dir) {
    long files = 0;
    long bytes = 0;
    for (FsTree.Node n : tree.below(dir).values()) {
      if (n.isFile()) {
        files++;
        bytes += n.size();
      }
    }
    return new long[] {files, bytes};
  }

  private static boolean isTestData(String path) {
    for (String seg : path.toLowerCase(Locale.ROOT).split("/")) {
      if (seg.equals("test") || seg.equals("tests") || seg.equals("testdata")
          || seg.equals("testing") || seg.equals("fixtures") || seg.equals("__tests__")
          || seg.equals("examples") || seg.equals("test_data")) {
        return true;
      }
    }
    return false;
  }

  private ContentChecks() {}
}
