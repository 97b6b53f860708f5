package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Image;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.Transports;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plinth.yaml reads host files only inside its build context (BAD-INPUTS 43 to 46): no '..',
 * absolute path or symlink out of it unless the command line allows it; no device, FIFO or
 * socket; no file read whole without a cap.
 */
class BuildContextTest {
  @TempDir Path tmp;
  Path ctx;
  Path secret;

  @BeforeEach
  void setUp() throws Exception {
    ctx = Files.createDirectories(tmp.resolve("ctx"));
    secret = tmp.resolve("secret");
    Files.writeString(secret, "hunter2");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
  }

  private Path yaml(String body) throws Exception {
    Path f = ctx.resolve("plinth.yaml");
    Files.writeString(f, "base: scratch\ninit: none\nplatforms: [linux/amd64]\n" + body);
    return f;
  }

  private static PlinthException refused(Path yaml) {
    return assertThrows(PlinthException.class, () -> PlinthYaml.load(yaml));
  }

  private static void assertOutside(PlinthException e, String field) {
    assertEquals(PlinthException.Kind.USAGE, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("plinth.yaml:") && e.getMessage().contains(field)
        && e.getMessage().contains("outside the build context")
        && e.getMessage().contains("--allow-outside-context"), e.getMessage());
  }

  private int builds;

  private Map<String, PlinthBuildTest.Content> build(BuildSpec spec) throws Exception {
    Path out = tmp.resolve("out-" + ++builds + ".tar");
    Plinth.build(spec, ImageRef.parse("oci-archive:" + out), Plinth.Options.of(tmp.resolve("cache")));
    Image image = Transports.local().read(ImageRef.parse("oci-archive:" + out)).images().get(0);
    return PlinthBuildTest.files(image);
  }

  @Test
  void dotDot_andAbsolute_areRefused() throws Exception {
    assertOutside(refused(yaml("files: [{src: ../secret, dest: /s}]\n")), "files[0].src");
    assertOutside(refused(yaml("files: [{src: " + secret + ", dest: /s}]\n")), "files[0].src");
    assertOutside(refused(yaml("files: [{src: \"../secret-${arch}\", dest: /s}]\n")),
        "files[0].src");
  }

  @Test
  void symlinkToOutside_asTheSrc_orOnTheWay_isRefused() throws Exception {
    Files.createSymbolicLink(ctx.resolve("innocent.txt"), secret);
    assertOutside(refused(yaml("files: [{src: innocent.txt, dest: /s}]\n")), "files[0].src");
    Files.createSymbolicLink(ctx.resolve("up"), tmp);
    assertOutside(refused(yaml("files: [{src: up/secret, dest: /s}]\n")), "files[0].src");
    assertOutside(refused(yaml("files: [{src: up, dest: /s}]\n")), "files[0].src");
  }

  @Test
  void symlinkInsideADirectorySrc_isCopiedAsTheLink_notItsTarget() throws Exception {
    Path dir = Files.createDirectories(ctx.resolve("dir"));
    Files.writeString(dir.resolve("a.txt"), "a");
    Files.createSymbolicLink(dir.resolve("link"), secret);
    Map<String, PlinthBuildTest.Content> f =
        build(PlinthYaml.load(yaml("files: [{src: dir, dest: /d}]\n")));
    TarEntry link = f.get("/d/link").entry();
    assertEquals(TarEntry.Type.SYMLINK, link.type());
    assertEquals(secret.toString(), link.linkTarget());
    assertEquals(0, f.get("/d/link").bytes().length);
    assertFalse(f.values().stream().anyMatch(c -> new String(c.bytes(), StandardCharsets.UTF_8)
        .contains("hunter2")), "the secret's content is nowhere in the image");
  }

  @Test
  void allowOutside_fromTheApi_letsThemThrough() throws Exception {
    Files.createSymbolicLink(ctx.resolve("innocent.txt"), secret);
    Path y = yaml("files: [{src: ../secret, dest: /a}, {src: innocent.txt, dest: /b}]\n");
    BuildSpec spec = PlinthYaml.load(y, new BuildContext(ctx, true));
    Map<String, PlinthBuildTest.Content> f = build(spec);
    assertArrayEquals("hunter2".getBytes(StandardCharsets.UTF_8), f.get("/a").bytes());
    assertArrayEquals("hunter2".getBytes(StandardCharsets.UTF_8), f.get("/b").bytes());
  }

  @Test
  void aWiderContext_fromTheCommandLine_holdsThePath() throws Exception {
    Path y = yaml("files: [{src: ../secret, dest: /a}]\n");
    BuildSpec spec = PlinthYaml.load(y, new BuildContext(tmp, false));
    assertArrayEquals("hunter2".getBytes(StandardCharsets.UTF_8), build(spec).get("/a").bytes());
  }

  @Test
  void otherFields_areConfinedToo() throws Exception {
    assertOutside(refused(yaml("debian: {keyring: /etc/passwd}\n")), "debian.keyring");
    assertOutside(refused(yaml("java: {jar: ../app.jar}\n")), "java.jar");
    assertOutside(refused(yaml("java: {mainClass: a.B, classpath: [/tmp/x.jar]}\n")),
        "java.classpath");
    Files.createDirectories(ctx.resolve("lib"));
    Files.createSymbolicLink(ctx.resolve("lib/evil.jar"), secret);
    assertOutside(refused(yaml("java: {mainClass: a.B, classpath: [\"lib/*\"]}\n")),
        "java.classpath");
    assertOutside(refused(yaml("java: {jar: app.jar, runtime: /usr/lib/jvm}\n")), "java.runtime");
    Files.delete(ctx.resolve("plinth.yaml"));
    Path y = ctx.resolve("plinth.yaml");
    Files.writeString(y, "init: {binary: \"../init-${arch}\"}\n");
    assertOutside(refused(y), "init.binary");
    Files.createSymbolicLink(ctx.resolve("plinth.lock"), Path.of("/dev/zero"));
    assertOutside(refused(yaml("packages: [tzdata]\n")), "plinth.lock");
  }

  @Test
  void devZero_asTheKeyring_isRefusedAsNotARegularFile() throws Exception {
    PlinthException e = assertThrows(PlinthException.class, () -> PlinthYaml.load(
        yaml("debian: {keyring: /dev/zero}\n"), new BuildContext(ctx, true)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("debian.keyring") && e.getMessage().contains("/dev/zero")
        && e.getMessage().contains("not a regular file"), e.getMessage());
    PlinthException k = assertThrows(PlinthException.class,
        () -> dev.plinth.deb.Keyring.load(List.of(Path.of("/dev/zero"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, k.kind(), k.getMessage());
    // a lock file through a link to /dev/zero is not read forever either
    PlinthException l = assertThrows(PlinthException.class,
        () -> LockFile.read(Path.of("/dev/zero")));
    assertEquals(PlinthException.Kind.BAD_INPUT, l.kind(), l.getMessage());
  }

  @Test
  void aFifo_isRefused() throws Exception {
    Path fifo = ctx.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    PlinthException k = refused(yaml("debian: {keyring: fifo}\n"));
    assertEquals(PlinthException.Kind.BAD_INPUT, k.kind());
    assertTrue(k.getMessage().contains("not a regular file"), k.getMessage());
    PlinthException s = refused(yaml("files: [{src: fifo, dest: /f}]\n"));
    assertEquals(PlinthException.Kind.BAD_INPUT, s.kind());
    // in a directory src: refused while walking it
    Path dir = Files.createDirectories(ctx.resolve("dir"));
    Files.move(fifo, dir.resolve("fifo"));
    PlinthException w = assertThrows(PlinthException.class,
        () -> build(PlinthYaml.load(yaml("files: [{src: dir, dest: /d}]\n"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, w.kind());
    assertTrue(w.getMessage().contains("fifo"), w.getMessage());
  }

  @Test
  void aKeyringOverTheCap_isRefused() throws Exception {
    Path big = ctx.resolve("big.gpg");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(17L << 20); // sparse
    }
    PlinthException e = assertThrows(PlinthException.class,
        () -> dev.plinth.deb.Keyring.load(List.of(big)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
  }

  @Test
  void aLargeLabel_parses_andAYamlOverTheCap_isRefused() throws Exception {
    String label = "x".repeat(900_000);
    BuildSpec s = PlinthYaml.load(yaml("labels: {big: \"" + label + "\"}\n"));
    assertEquals(label, s.labels().get("big"));
    Path y = ctx.resolve("plinth.yaml");
    try (RandomAccessFile f = new RandomAccessFile(y.toFile(), "rw")) {
      f.setLength(50L << 20);
    }
    PlinthException e = refused(y);
    assertTrue(e.getMessage().contains("larger than 1 MiB"), e.getMessage());
    Files.writeString(y, "labels: " + "[".repeat(200) + "]".repeat(200) + "\n");
    PlinthException deep = refused(y);
    assertEquals(PlinthException.Kind.USAGE, deep.kind(), deep.getMessage());
  }

  /** Case 45's /proc/self/environ: the environment (secrets of CI jobs) never read unasked. */
  @Test
  void procSelfEnviron_throughALink_isOutside_andAsAnAllowedKeyring_isBadInput() throws Exception {
    Files.createSymbolicLink(ctx.resolve("env"), Path.of("/proc/self/environ"));
    assertOutside(refused(yaml("files: [{src: env, dest: /e}]\n")), "files[0].src");
    assertOutside(refused(yaml("debian: {keyring: env}\n")), "debian.keyring");
    PlinthException k = assertThrows(PlinthException.class,
        () -> dev.plinth.deb.Keyring.load(List.of(Path.of("/proc/self/environ"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, k.kind(), k.getMessage());
  }

  /** Case 46's alias bombs ("billion laughs"): refused at the 21st alias, before expanding. */
  @Test
  void anAliasBomb_isRefused() throws Exception {
    PlinthException e = refused(yaml("""
        labels:
          a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
          b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
          c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
          d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        """));
    assertEquals(PlinthException.Kind.USAGE, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("plinth.yaml") && e.getMessage().contains("aliases"),
        e.getMessage());
  }

  @Test
  void pathsInside_stillWork() throws Exception {
    Files.writeString(ctx.resolve("app"), "x");
    Files.createSymbolicLink(ctx.resolve("alias"), ctx.resolve("app"));
    Map<String, PlinthBuildTest.Content> f = build(PlinthYaml.load(
        yaml("files: [{src: ./sub/../app, dest: /a}, {src: alias, dest: /b}]\n")));
    assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), f.get("/b").bytes());
    assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), f.get("/a").bytes());
  }
}
