package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PythonBytecodeTest {
  @Test
  void source_ofACachedAndOfASourcelessPyc() {
    assertEquals("/usr/lib/python3.11/json/decoder.py",
        PythonBytecode.source("/usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc"));
    assertEquals("/app/app.py", PythonBytecode.source("/app/__pycache__/app.cpython-311.pyc"));
    assertEquals("/usr/lib/python3/dist-packages/flask/app.py",
        PythonBytecode.source("/usr/lib/python3/dist-packages/flask/app.pyc"));
    assertThrows(IllegalArgumentException.class,
        () -> PythonBytecode.source("/app/__pycache__/app.opt-1.txt"));
  }

  /** The .pyc cache's key: each thing that changes the .pyc changes it; order does not. */
  @Test
  void key_holdsEverythingTheBytecodeDependsOn() {
    List<String> pkgs = List.of("python3.11-minimal=3.11.2-6+deb12u8 amd64 " + "a".repeat(64),
        "python3-flask=2.2.2-3 all " + "b".repeat(64));
    String key = PythonBytecode.key(pkgs, List.of("/usr/lib/python3.*/test"), true);
    assertEquals(key, PythonBytecode.key(List.of(pkgs.get(1), pkgs.get(0)),
        List.of("/usr/lib/python3.*/test"), true), "the packages in another order");
    java.util.Set<String> others = new java.util.HashSet<>(List.of(
        PythonBytecode.key(pkgs, List.of("/usr/lib/python3.*/test"), false),   // __pycache__
        PythonBytecode.key(pkgs, List.of(), true),                               // more compiled
        PythonBytecode.key(List.of(pkgs.get(0).replace("deb12u8", "deb12u9"), pkgs.get(1)),
            List.of("/usr/lib/python3.*/test"), true),                           // interpreter
        PythonBytecode.key(List.of(pkgs.get(0), pkgs.get(1).replace("b", "c")),
            List.of("/usr/lib/python3.*/test"), true),                           // a .deb's bytes
        PythonBytecode.key(List.of(pkgs.get(0).replace("amd64 ", "arm64 "), pkgs.get(1)),
            List.of("/usr/lib/python3.*/test"), true)));                         // the arch
    others.add(key);
    assertEquals(6, others.size(), others.toString());
  }

  @Test
  void pythonVersion_isUpstreamWithoutTheBinNmuSuffix() {
    List<LockFile.Entry> amd64 = List.of(
        new LockFile.Entry("python3.11-minimal", "3.11.2-6+deb12u8", "amd64", "f", 1, null),
        new LockFile.Entry("python3", "3.11.2-1+b1", "amd64", "f", 1, null));
    List<LockFile.Entry> arm64 = List.of(
        new LockFile.Entry("python3.11-minimal", "3.11.2-6+deb12u8+b1", "arm64", "f", 1, null));
    assertEquals("3.11.2-6+deb12u8", DebianPackages.pythonVersion(amd64, "python3.11"));
    assertEquals(DebianPackages.pythonVersion(amd64, "python3.11"),
        DebianPackages.pythonVersion(arm64, "python3.11"), "a rebuild compiles the same");
    assertNull(DebianPackages.pythonVersion(amd64, "python3.12"));
  }
}
