package dev.plinth.maven;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * What the goal reads from a project's effective POM: properties and plugin configuration values,
 * with any {@code ${...}} Maven left raw resolved against the project's properties (the user's
 * {@code -D} properties first, as Maven's own interpolation does). An expression that names no
 * property stays as it is: {@code ${start-class}} in a Spring Boot project that sets none.
 */
final class PomView {
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");
  /** How deep a property may name another: deeper is a cycle, left unresolved. */
  private static final int MAX_DEPTH = 10;

  private final MavenProject project;
  private final Map<String, String> userProperties;

  /** @param userProperties the session's user properties ({@code -Dname=value}) */
  PomView(MavenProject project, Map<String, String> userProperties) {
    this.project = project;
    this.userProperties = Map.copyOf(userProperties);
  }

  static Map<String, String> map(Properties p) {
    Map<String, String> out = new java.util.HashMap<>();
    p.stringPropertyNames().forEach(n -> out.put(n, p.getProperty(n)));
    return out;
  }

  /** The property's value, resolved; null when unset or blank. */
  String property(String name) {
    String raw = raw(name);
    return raw == null || raw.isBlank() ? null : resolve(raw.trim());
  }

  private String raw(String name) {
    String v = userProperties.get(name);
    return v != null ? v : project.getProperties().getProperty(name);
  }

  /** {@code text} with each {@code ${name}} that names a property replaced, recursively. */
  String resolve(String text) {
    String out = text;
    for (int depth = 0; depth < MAX_DEPTH && out.contains("${"); depth++) {
      Matcher m = EXPRESSION.matcher(out);
      StringBuilder b = new StringBuilder();
      boolean changed = false;
      while (m.find()) {
        String v = raw(m.group(1).trim());
        changed |= v != null;
        m.appendReplacement(b, Matcher.quoteReplacement(v != null ? v : m.group()));
      }
      m.appendTail(b);
      out = b.toString();
      if (!changed) {
        break;
      }
    }
    return out;
  }

  /** Whether the build declares (or its packaging binds) the plugin {@code groupId:artifactId}. */
  boolean hasPlugin(String key) {
    return project.getPlugin(key) != null;
  }

  /** Where the plugin is among the build's plugins, in declaration order; -1 if absent. */
  int pluginIndex(String key) {
    List<Plugin> plugins = project.getBuildPlugins();
    for (int i = 0; i < plugins.size(); i++) {
      if (plugins.get(i).getKey().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A plugin's configuration value at {@code path} (e.g. archive, manifest, mainClass), resolved:
   * its execution {@code execution}'s (Maven merges that over the plugin's), else the plugin's
   * own; null when neither sets it.
   */
  String pluginValue(String key, String execution, String... path) {
    Plugin plugin = project.getPlugin(key);
    if (plugin == null) {
      return null;
    }
    List<Object> configurations = new ArrayList<>();
    for (PluginExecution e : plugin.getExecutions()) {
      if (e.getId().equals(execution)) {
        configurations.add(e.getConfiguration());
      }
    }
    configurations.add(plugin.getConfiguration());
    for (Object c : configurations) {
      Xpp3Dom node = c instanceof Xpp3Dom dom ? dom : null;
      for (String child : path) {
        node = node == null ? null : node.getChild(child);
      }
      if (node != null && node.getValue() != null && !node.getValue().isBlank()) {
        return resolve(node.getValue().trim());
      }
    }
    return null;
  }
}
