package dev.plinth.audit;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.SmallFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A project's accepted findings, {@code .plinth-audit.yaml} (as trivy's {@code .trivyignore.yaml}
 * and hadolint's {@code ignored:}, with the reason required):
 *
 * <pre>
 * ignore:
 *   - rule: PL041                      # id or name
 *     paths: [/usr/lib/python3/dist-packages/PIL/_imagingtk*.so]   # or path: ...; none: all
 *     reason: Tk is not in the image; the app never imports PIL.ImageTk
 * </pre>
 */
public final class Suppressions {
  /** The file {@code plinth audit} reads from the current directory when it exists. */
  public static final String DEFAULT_FILE = ".plinth-audit.yaml";
  private static final long MAX_BYTES = 1 << 20;
  private static final Set<String> FIELDS = Set.of("rule", "path", "paths", "reason");

  /** Reads {@code file}; USAGE naming the file and entry for anything malformed. */
  public static List<Suppression> load(Path file) throws PlinthException {
    String name = file.toString();
    Object doc;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(20);
      doc = new Yaml(new SafeConstructor(options)).load(new String(
          SmallFiles.read(file, MAX_BYTES, "audit suppressions"), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND, name + ": no such file");
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND, name + ": cannot read: "
          + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new PlinthException(PlinthException.Kind.USAGE, name + ": not valid YAML: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
    List<Suppression> out = new ArrayList<>();
    if (doc == null) {
      return out;
    }
    if (!(doc instanceof Map<?, ?> top) || !top.keySet().equals(Set.of("ignore"))
        || !(top.get("ignore") instanceof List<?> entries)) {
      throw new PlinthException(PlinthException.Kind.USAGE, name + ": expected one key, ignore:,"
          + " a list of {rule, path or paths, reason}");
    }
    for (int i = 0; i < entries.size(); i++) {
      String where = name + ": ignore[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> e)) {
        throw usage(where, "expected {rule: PL041, paths: [...], reason: ...}");
      }
      for (Object k : e.keySet()) {
        if (!FIELDS.contains(String.valueOf(k))) {
          throw usage(where, "unknown field '" + k + "' (fields: rule, path, paths, reason)");
        }
      }
      String rule = text(e.get("rule"), where, "rule");
      String reason = text(e.get("reason"), where, "reason (why the finding is accepted)");
      List<String> paths = new ArrayList<>();
      if (e.containsKey("path")) {
        paths.add(text(e.get("path"), where, "path"));
      }
      if (e.get("paths") instanceof List<?> list) {
        for (Object p : list) {
          paths.add(text(p, where, "paths"));
        }
      } else if (e.containsKey("paths")) {
        throw usage(where, "paths must be a list of absolute paths or globs");
      }
      if (paths.isEmpty()) {
        out.add(Suppression.parse(rule, where, reason));
      }
      for (String p : paths) {
        out.add(Suppression.parse(rule + ":" + p, where, reason));
      }
    }
    return out;
  }

  private static String text(Object v, String where, String field) throws PlinthException {
    if (!(v instanceof String s) || s.isBlank()) {
      throw usage(where, field + " is required, as text");
    }
    return s.strip();
  }

  private static PlinthException usage(String where, String what) {
    return new PlinthException(PlinthException.Kind.USAGE, where + ": " + what);
  }

  private Suppressions() {}
}
