package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-file reader, on classes javac compiled. */
class ClassFilesTest {
  @TempDir Path tmp;

  @Test
  void scan_findsPublicStaticMain_only_andTheNewestClassFileVersion() throws Exception {
    Path classes = Poms.compile(tmp.resolve("classes"), 11, Map.of(
        "app.Main", "package app; public class Main { public static void main(String... a) {} }",
        "app.Outer", "package app; public class Outer { public static class Tool {"
            + " public static void main(String[] a) {} } }",
        "app.NotStatic", "package app; public class NotStatic { public void main(String[] a) {} }",
        "app.NotPublic", "package app; class NotPublic { static void main(String[] a) {} }",
        "app.WrongArgs", "package app; public class WrongArgs { public static void main(String a) {} }",
        "app.Helper", "package app; public interface Helper { long L = 1L; double D = 2.5;"
            + " String S = \"s\"; static int main() { return 0; } }"));
    ClassFiles.Scan scan = new ClassFiles(classes).scan();
    assertEquals(List.of("app.Main", "app.Outer$Tool"), scan.mains());
    assertEquals(55, scan.maxMajor());
  }

  @Test
  void fromJava25_jep512MainMethodsCount_nonPrivateStaticOrNot() throws Exception {
    Path classes = Poms.compile(tmp.resolve("classes"), 17, Map.of(
        "Inst", "class Inst { void main() {} }",
        "Args", "class Args { protected void main(String[] a) {} }",
        "Hidden", "class Hidden { private void main() {} }"));
    for (String name : List.of("Inst", "Args", "Hidden")) {
      byte[] b = Files.readAllBytes(classes.resolve(name + ".class"));
      assertEquals(false, ClassFiles.read(b).main(), name + " at version 61");
      b[6] = 0;
      b[7] = (byte) ClassFiles.JAVA_25; // the same class, as javac 25 writes it
      assertEquals(!name.equals("Hidden"), ClassFiles.read(b).main(), name + " at version 69");
    }
  }

  @Test
  void notClassFiles_areSkipped_cutShortOrNot() throws Exception {
    Path classes = Poms.compile(tmp.resolve("classes"), 17, Map.of(
        "a.Main", "package a; public class Main { public static void main(String[] x) {} }"));
    byte[] good = Files.readAllBytes(classes.resolve("a/Main.class"));
    for (int cut = 0; cut < good.length - 10; cut += 7) { // the last 10: the SourceFile attribute
      assertNull(ClassFiles.read(java.util.Arrays.copyOf(good, cut)), "cut at " + cut);
    }
    Files.writeString(classes.resolve("a/Fake.class"), "not a class");
    Files.write(classes.resolve("a/Cut.class"), java.util.Arrays.copyOf(good, 40));
    assertEquals(List.of("a.Main"), new ClassFiles(classes).scan().mains());
    assertEquals(new ClassFiles.Scan(List.of(), 0), new ClassFiles(tmp.resolve("none")).scan());
  }
}
