package dev.plinth.cli;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * {@code plinth init}: a starter plinth.yaml for the project in a directory. A Maven project
 * (pom.xml) gets a Java image of the jar {@code mvn package} makes; a directory with an executable
 * jar (or one in target/) gets a Java image of it; anything else a minimal image with the common
 * fields commented. It never overwrites a plinth.yaml without --force.
 */
final class InitCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth init",
      "Writes a starter plinth.yaml for the project in a directory: for a Maven project or an"
          + " executable jar a Java image, else a minimal image with the common fields shown.",
      "Example: plinth init && plinth build --to oci-archive:app.tar");

  private final Cli.Arg dir = cli.option("-d, --dir", "DIR",
      "The project directory (default: the current one).").defaultValue(".");

  private final Cli.Arg force = cli.flag("--force", "Replace an existing plinth.yaml.");

  @Override
  public int run(Cli.Context context) throws Exception {
    Path d = Path.of(dir.value());
    if (!Files.isDirectory(d)) {
      throw new PlinthException(Kind.NOT_FOUND, "--dir " + d + " is not a directory");
    }
    Path yaml = d.resolve("plinth.yaml");
    if (Files.exists(yaml) && !force.on()) {
      throw new PlinthException(Kind.USAGE, yaml + " exists; plinth init leaves it alone"
          + " (--force replaces it)");
    }
    String text;
    String what;
    Path pom = d.resolve("pom.xml");
    Path jar;
    if (Files.isRegularFile(pom)) {
      Pom p = Pom.read(pom);
      what = "a Maven project (" + p.artifactId + "), the jar mvn package makes";
      text = java(p.artifactId, "target/" + p.jarName() + ".jar",
          "#   mvn package && plinth build --to oci-archive:target/" + p.artifactId
              + "-image.tar\n"
              + "# or declare plinth-maven-plugin in pom.xml and run mvn package (docs/java.md)\n");
    } else if ((jar = executableJar(d)) != null) {
      String rel = d.relativize(jar).toString();
      String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
      what = "the executable jar " + rel;
      text = java(name, rel, "#   plinth build --to oci-archive:" + name + "-image.tar\n");
    } else {
      what = "no Maven project or executable jar: a minimal image";
      text = minimal(d.toAbsolutePath().normalize().getFileName());
    }
    AtomicFile.write(yaml, text.getBytes(StandardCharsets.UTF_8));
    context.out().println("wrote " + yaml + " for " + what);
    return 0;
  }

  private static String java(String name, String jar, String howTo) {
    return "# plinth.yaml for " + name + " (docs/plinth-yaml.md, docs/java.md). Build it with\n"
        + howTo
        + "name: " + name + "\n"
        + "platforms: [linux/amd64, linux/arm64]\n"
        + "java:\n"
        + "  jar: " + jar + "\n"
        + "  # version: 21                # default: what the app's classes need (17, 21 or 25)\n"
        + "  # jvmFlags: [-Xss512k]\n"
        + "# ports: [8080]\n"
        + "# env: {LOGLEVEL: info}\n"
        + "# packages: [ca-certificates, tzdata]   # Debian packages (docs/debian.md)\n";
  }

  private static String minimal(Path dirName) {
    String name = dirName == null ? "app" : dirName.toString();
    return "# plinth.yaml for " + name + " (docs/plinth-yaml.md). Build it with\n"
        + "#   plinth build --to oci-archive:" + name + "-image.tar\n"
        + "name: " + name + "\n"
        + "platforms: [linux/amd64, linux/arm64]\n"
        + "# files:\n"
        + "#   - src: build/app-${arch}      # ${arch} is amd64 or arm64\n"
        + "#     dest: /app/app\n"
        + "# entrypoint: [/app/app]\n"
        + "# cmd: [--port, \"8080\"]\n"
        + "# ports: [8080]\n"
        + "# env: {LOGLEVEL: info}\n"
        + "# packages: [ca-certificates, tzdata]   # Debian packages (docs/debian.md)\n";
  }

  /** The one executable jar (Main-Class) in the directory or its target/, else null. */
  static Path executableJar(Path d) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path where : List.of(d, d.resolve("target"))) {
      if (!Files.isDirectory(where)) {
        continue;
      }
      try (Stream<Path> s = Files.list(where)) {
        for (Path p : s.sorted().toList()) {
          String n = p.getFileName().toString();
          if (n.endsWith(".jar") && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar")
              && !n.endsWith("-tests.jar") && Files.isRegularFile(p) && hasMainClass(p)) {
            found.add(p);
          }
        }
      }
      if (!found.isEmpty()) {
        break;
      }
    }
    return found.size() == 1 ? found.get(0) : null;
  }

  private static boolean hasMainClass(Path jar) {
    try (JarFile j = new JarFile(jar.toFile(), false)) {
      java.util.jar.Manifest mf = j.getManifest();
      return mf != null && mf.getMainAttributes().getValue("Main-Class") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** What plinth init needs of a pom: the artifact, its version and the jar's name. */
  record Pom(String artifactId, String version, String finalName) {
    String jarName() {
      return finalName != null && !finalName.contains("${") ? finalName
          : artifactId + (version == null ? "" : "-" + version);
    }

    static Pom read(Path pom) throws PlinthException {
      try (InputStream in = Files.newInputStream(pom)) {
        if (Files.size(pom) > (4 << 20)) {
          throw new PlinthException(Kind.BAD_INPUT, pom + " is larger than 4 MiB");
        }
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // a pom is data: no DTDs, no external entities
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setExpandEntityReferences(false);
        Element project = f.newDocumentBuilder().parse(in).getDocumentElement();
        String artifactId = child(project, "artifactId");
        if (artifactId == null) {
          throw new PlinthException(Kind.BAD_INPUT, pom + " names no artifactId");
        }
        String version = child(project, "version");
        Element parent = element(project, "parent");
        if (version == null && parent != null) {
          version = child(parent, "version");
        }
        Element build = element(project, "build");
        String finalName = build == null ? null : child(build, "finalName");
        if (version != null && version.contains("${")) {
          version = null;   // a property: the jar name is a guess; the comment says to check it
        }
        return new Pom(artifactId.strip(), version == null ? null : version.strip(),
            finalName == null ? null : finalName.strip());
      } catch (IOException | javax.xml.parsers.ParserConfigurationException
          | org.xml.sax.SAXException e) {
        throw new PlinthException(Kind.BAD_INPUT, pom + " is not a readable pom: "
            + e.getMessage());
      }
    }

    private static Element element(Element e, String name) {
      for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element c && c.getTagName().equals(name)) {
          return c;
        }
      }
      return null;
    }

    private static String child(Element e, String name) {
      Element c = element(e, name);
      return c == null ? null : c.getTextContent();
    }
  }
}
