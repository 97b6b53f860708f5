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
