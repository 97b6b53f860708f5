package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.PlinthYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plinth init, shell completion and "did you mean", as a new user meets them. */
class InitCompletionTest {
  @TempDir Path tmp;

  private static void ok(MainTest.Run r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }

  @Test
  void init_mavenProject_getsAJavaImageOfItsJar_andTheFileParses() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("svc"));
    Files.writeString(d.resolve("pom.xml"), """
        <project><modelVersion>4.0.0</modelVersion>
          <parent><groupId>g</groupId><artifactId>p</artifactId><version>3.5.7</version></parent>
          <artifactId>orders</artifactId>
        </project>""");
    MainTest.Run r = MainTest.plinth("init", "--dir", d.toString());
    ok(r);
    assertTrue(r.out().contains("a Maven project (orders)"), r.out());
    BuildSpec spec = PlinthYaml.load(d.resolve("plinth.yaml"));
    assertEquals(d.resolve("target/orders-3.5.7.jar").toAbsolutePath().normalize(),
        spec.java().jar().toAbsolutePath().normalize());

    MainTest.Run again = MainTest.plinth("init", "--dir", d.toString());
    assertEquals(2, again.code(), again.err());
    assertTrue(again.err().contains("--force"), again.err());
    Files.writeString(d.resolve("pom.xml"), """
        <project><artifactId>orders</artifactId><version>1.0</version>
          <build><finalName>app</finalName></build></project>""");
    ok(MainTest.plinth("init", "--dir", d.toString(), "--force"));
    assertTrue(Files.readString(d.resolve("plinth.yaml")).contains("jar: target/app.jar"));
  }

  @Test
  void init_hostilePom_isRefusedWithoutReadingEntities() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("evil"));
    Files.writeString(d.resolve("pom.xml"), "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x"
        + " SYSTEM \"file:///etc/passwd\">]><project><artifactId>&x;</artifactId></project>");
    MainTest.Run r = MainTest.plinth("init", "--dir", d.toString());
    assertEquals(4, r.code(), r.err());
    assertTrue(!Files.exists(d.resolve("plinth.yaml")));
  }

  @Test
  void init_executableJar_orNothing() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("tool/target"));
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "t.Main");
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(d.resolve("tool.jar")), m)) {
      j.flush();
    }
    Files.write(d.resolve("tool-sources.jar"), new byte[0]);
    ok(MainTest.plinth("init", "--dir", tmp.resolve("tool").toString()));
    assertEquals(d.resolve("tool.jar").normalize(), PlinthYaml.load(tmp.resolve("tool/plinth.yaml"))
        .java().jar().normalize());

    Path empty = Files.createDirectories(tmp.resolve("static"));
    ok(MainTest.plinth("init", "--dir", empty.toString()));
    BuildSpec spec = PlinthYaml.load(empty.resolve("plinth.yaml"));
    assertEquals(null, spec.java());
    assertEquals("static", spec.name());
  }

  private String complete(String shell, String line) throws Exception {
    Path script = tmp.resolve("completion." + shell);
    MainTest.Run r = MainTest.plinth("completion", shell);
    ok(r);
    Files.writeString(script, r.out());
    String[] words = line.split(" ", -1);
    StringBuilder cmd = new StringBuilder("source '" + script + "'; COMP_WORDS=(");
    for (String w : words) {
      cmd.append('\'').append(w).append("' ");
    }
    cmd.append("); COMP_CWORD=").append(words.length - 1)
        .append("; _plinth; printf '%s\\n' \"${COMPREPLY[@]}\"");
    Process p = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bash did not finish");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void bashCompletion_offersCommandsOptionsValuesAndTransports() throws Exception {
    assertEquals(List.of("base", "build"), complete("bash", "plinth b").lines().toList());
    assertEquals(List.of("--platform", "--platforms"),
        complete("bash", "plinth audit --plat").lines().sorted().toList());
    assertEquals(List.of("text", "json"), complete("bash", "plinth inspect --format ")
        .lines().toList());
    assertTrue(complete("bash", "plinth copy oci-a").lines().toList().contains("oci-archive:"));
    assertEquals(List.of("bash", "zsh"), complete("bash", "plinth completion ").lines().toList());
    assertTrue(complete("bash", "plinth build --password-").contains("--password-stdin"));
    assertEquals(List.of("show", "prune"), complete("bash", "plinth cache ").lines().toList());
    assertEquals(List.of("--max-size"), complete("bash", "plinth cache prune --max")
        .lines().toList());
    assertEquals(List.of("generate"), complete("bash", "plinth key ").lines().toList());
    assertEquals(List.of("verify"), complete("bash", "plinth v").lines().toList());
    assertEquals(List.of("--key"), complete("bash", "plinth verify --k").lines().toList());
    for (String command : List.of("build", "base", "copy")) {
      assertEquals(List.of("--sign-key"), complete("bash", "plinth " + command + " --sign")
          .lines().toList(), command);
    }
  }

  @Test
  void zshCompletion_isValidZsh_andNamesEveryOption() throws Exception {
    MainTest.Run r = MainTest.plinth("completion", "zsh");
    ok(r);
    Path script = tmp.resolve("_plinth");
    Files.writeString(script, r.out());
    Process p = new ProcessBuilder("zsh", "-n", script.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "zsh -n: " + out);
    java.util.Set<String> names = new java.util.TreeSet<>();
    CompletionCommand.clis().values().forEach(c -> names.addAll(c.optionNames()));
    for (String n : names) {
      assertTrue(r.out().contains("'" + n) || r.out().contains(")" + n), n);
    }
  }

  @Test
  void misspeltOptionsAndCommands_getASuggestion() {
    MainTest.Run opt = MainTest.plinth("base", "--plaform", "linux/amd64");
    assertEquals(2, opt.code());
    assertTrue(opt.err().contains("Unknown option: '--plaform'; did you mean '--platform'?"),
        opt.err());
    MainTest.Run cmd = MainTest.plinth("biuld");
    assertEquals(2, cmd.code());
    assertTrue(cmd.err().contains("did you mean 'build'?"), cmd.err());
    MainTest.Run far = MainTest.plinth("frobnicate");
    assertTrue(far.err().contains("name one of base, build"), far.err());
    assertEquals("", Cli.didYouMean("--zzzzzz", List.of("--to", "--file")));
  }
}
