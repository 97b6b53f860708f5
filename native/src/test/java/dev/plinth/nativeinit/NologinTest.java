package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NologinTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "nologin_{0}_saysNotAvailable_exits1")
  @ValueSource(strings = {"amd64", "arm64"})
  void nologin_saysNotAvailable_exits1(String arch) {
    List<String> cmd = Tools.init(arch); // the same launcher, then swap init for nologin
    cmd.set(cmd.size() - 1, Tools.binary(arch, "nologin").toString());
    Proc.Result r = Proc.run(Tools.concat(cmd, "-c", "anything"), Tools.env(), tmp);
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("This account is currently not available.\n", r.stdout());
    assertEquals("", r.stderr());
  }
}
