package dev.plinth.audit;

import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rules look at for one platform's image: its config, its flattened filesystem, its
 * accounts, and where the findings go.
 */
final class ImageContext {
  static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  final Platform platform;
  /** The whole config document. */
  final ImageConfig document;
  /** Its run settings (User, Env, Entrypoint, ...); empty ones when absent. */
  final ImageConfig.Config config;
  final FsTree tree;
  final Accounts accounts;
  /** Env in order; a later duplicate wins, as runtimes do. */
  final Map<String, String> env = new LinkedHashMap<>();
  final List<Finding> findings = new ArrayList<>();

  ImageContext(Platform platform, ImageConfig document, FsTree tree) {
    this.platform = platform;
    this.document = document;
    this.config = document.runConfig();
    this.tree = tree;
    env.putAll(config.envMap());
    this.accounts = new Accounts(content("/etc/passwd"), content("/etc/group"),
        content("/etc/shadow"));
  }

  /** The kept content of a small file, following links; null when missing or not kept. */
  byte[] content(String path) {
    FsTree.Node n = tree.resolve(path);
    return n != null && n.isFile() && n.facts() != null ? n.facts().content() : null;
  }

  String platformName() {
    return platform.toString();
  }

  void add(Rule rule, String path, String message) {
    add(rule, rule.severity(), path, message);
  }

  void add(Rule rule, Severity severity, String path, String message) {
    findings.add(new Finding(rule, severity, platformName(),
        path == null ? null : (path.startsWith("/") ? path : "/" + path), message));
  }

  /** Finds an executable as a runtime does: a path as is, else each PATH directory in turn. */
  String findProgram(String program) {
    if (program.contains("/")) {
      String p = program.startsWith("/") ? program
          : (config.workingDir() == null ? "/" : config.workingDir()) + "/" + program;
      return tree.lookup(p, true) == null ? null : p;
    }
    for (String dir : env.getOrDefault("PATH", DEFAULT_PATH).split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      String p = (dir.endsWith("/") ? dir : dir + "/") + program;
      FsTree.Node n = tree.resolve(p);
      if (n != null && n.isFile() && (n.mode() & 0111) != 0) {
        return p;
      }
    }
    return null;
  }

  /** Lists at most {@code max} items, then "and N more". */
  static String list(List<String> items, int max) {
    if (items.size() <= max) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, max)) + " and " + (items.size() - max) + " more";
  }
}
