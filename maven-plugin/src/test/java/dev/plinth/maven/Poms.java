package dev.plinth.maven;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3DomBuilder;

/** Projects as Maven's effective model has them, and real class files compiled by javac. */
final class Poms {
  private Poms() {}

  /** A project with these properties and build plugins, in this order. */
  static MavenProject project(Map<String, String> properties, Plugin... plugins) {
    Model m = new Model();
    m.setGroupId("g");
    m.setArtifactId("app");
    m.setVersion("1");
    Properties p = new Properties();
    p.putAll(properties);
    m.setProperties(p);
    Build b = new Build();
    for (Plugin plugin : plugins) {
      b.addPlugin(plugin);
    }
    m.setBuild(b);
    return new MavenProject(m);
  }

  /** A plugin {@code groupId:artifactId} with this {@code <configuration>} body (or none). */
  static Plugin plugin(String key, String configuration) throws Exception {
    Plugin p = new Plugin();
    p.setGroupId(key.substring(0, key.indexOf(':')));
    p.setArtifactId(key.substring(key.indexOf(':') + 1));
    if (configuration != null) {
      p.setConfiguration(Xpp3DomBuilder.build(
          new StringReader("<configuration>" + configuration + "</configuration>")));
    }
    return p;
  }

  /** {@code plugin} with an execution {@code id} configured with {@code configuration}. */
  static Plugin withExecution(Plugin plugin, String id, String configuration) throws Exception {
    PluginExecution e = new PluginExecution();
    e.setId(id);
    e.setConfiguration(Xpp3DomBuilder.build(
        new StringReader("<configuration>" + configuration + "</configuration>")));
    plugin.addExecution(e);
    return plugin;
  }

  /**
   * Compiles {@code sources} (a class's binary name to its source) for {@code release} into
   * {@code dir}, as a project's target/classes.
   */
  static Path compile(Path dir, int release, Map<String, String> sources) throws Exception {
    Path src = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-src"));
    List<String> args = new ArrayList<>(List.of("--release", Integer.toString(release), "-d",
        dir.toString()));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      args.add(f.toString());
    }
    Files.createDirectories(dir);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
      throw new AssertionError("javac failed on " + sources.keySet());
    }
    return dir;
  }
}
