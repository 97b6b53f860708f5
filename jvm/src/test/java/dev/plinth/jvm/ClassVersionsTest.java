package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which Java the app's class files need, and so the default java.version. */
class ClassVersionsTest {
  @TempDir Path tmp;

  /** The head of a class file of {@code major}, and a body that does not matter here. */
  private static byte[] classOf(int major) {
    return new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0,
        (byte) (major >> 8), (byte) major, 1, 2, 3};
  }

  private Path jar(String name, Map<String, byte[]> entries) throws Exception {
    Path jar = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        j.putNextEntry(new JarEntry(e.getKey()));
        j.write(e.getValue());
        j.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void classesOfJava21_inADirectory_need21() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("classes/com/example"));
    Files.write(classes.resolve("Main.class"), classOf(65));
    Files.write(classes.resolve("Old.class"), classOf(52));
    Files.writeString(classes.resolve("notes.class"), "not a class");
    Path lib = jar("lib.jar", Map.of("a/A.class", classOf(61)));
    ClassVersions.Highest h = ClassVersions.highest(List.of(tmp.resolve("classes"), lib));
    assertEquals(65, h.major());
    assertEquals(21, h.feature());
    assertTrue(h.where().endsWith("com/example/Main.class"), h.where());
    assertEquals(21, ClassVersions.smallestSupported(h));
  }

  @Test
  void multiReleaseJar_countsItsBaseEntriesOnly() throws Exception {
    Path mr = jar("mr.jar", Map.of("a/A.class", classOf(55),
        "META-INF/versions/25/a/A.class", classOf(69)));
    ClassVersions.Highest h = ClassVersions.highest(List.of(mr));
    assertEquals(55, h.major());
    assertEquals(17, ClassVersions.smallestSupported(h), "the smallest LTS plinth links");
  }

  @Test
  void java22Classes_need25_noClasses_get17() throws Exception {
    Path jar = jar("app.jar", Map.of("a/A.class", classOf(66)));
    assertEquals(25, ClassVersions.smallestSupported(ClassVersions.highest(List.of(jar))));
    Path empty = jar("empty.jar", Map.of("x.txt", new byte[] {1}));
    assertEquals(17, ClassVersions.smallestSupported(ClassVersions.highest(List.of(empty))));
  }

  @Test
  void classesNewerThan25_areAUsageError_namingTheClassAndWhatToDo() throws Exception {
    Path jar = jar("new.jar", Map.of("a/New.class", classOf(70)));
    PlinthException e = assertThrows(PlinthException.class,
        () -> ClassVersions.smallestSupported(ClassVersions.highest(List.of(jar))));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().contains("new.jar!/a/New.class")
        && e.getMessage().contains("Java 26") && e.getMessage().contains("java.suite"),
        e.getMessage());
  }
}
