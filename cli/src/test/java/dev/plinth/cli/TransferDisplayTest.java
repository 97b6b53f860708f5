package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.registry.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a terminal and a log see of downloads and steps, at a given console width. */
class TransferDisplayTest {
  private static final String CLEAR = "\r\033[K";
  private static final String JDK = "openjdk-17-jdk-headless_17.0.13+11-1~deb12u1_amd64.deb";

  private final StringWriter out = new StringWriter();

  private TransferDisplay display(TransferDisplay.Mode mode, int width) {
    return new TransferDisplay(mode, new PrintWriter(out), width);
  }

  /** What the terminal shows last: the text after the last clear of the line. */
  private String shown() {
    String s = out.toString();
    return s.substring(s.lastIndexOf(CLEAR) + CLEAR.length());
  }

  @Test
  void download_onANarrowTerminal_fitsTheWidth_cuttingTheNameAtItsStart() {
    TransferDisplay d = display(TransferDisplay.Mode.TERMINAL, 60);
    d.listener().moved(JDK, 45_000_000, 100_000_000);
    String line = shown();
    assertTrue(line.length() <= 59, line.length() + ": " + line);
    assertTrue(line.endsWith("]  45% 45.00 MB of 100.00 MB"), line);
    assertTrue(line.startsWith("...") && line.contains("amd64.deb ["), line);
    assertEquals(line.length(), 59, "the name gets what is left: " + line);
  }

  @Test
  void download_onAWideTerminal_showsTheWholeNameAndABar() {
    TransferDisplay d = display(TransferDisplay.Mode.TERMINAL, 120);
    d.listener().moved(JDK, 100_000_000, 100_000_000);
    assertEquals(JDK + " [####################] 100% 100.00 MB of 100.00 MB", shown());
    d.listener().step("linking the linux/amd64 runtime");
    assertTrue(out.toString().endsWith(CLEAR + "plinth: linking the linux/amd64 runtime"
        + System.lineSeparator()), "a step replaces the bar: " + out);
  }

  @Test
  void download_onATinyTerminal_neverWraps() {
    TransferDisplay d = display(TransferDisplay.Mode.TERMINAL, 20);
    d.listener().moved(JDK, 1, 2);
    assertTrue(shown().length() <= 19, shown());
  }

  @Test
  void registryTransfers_onATerminal_fitTheWidthToo() {
    TransferDisplay d = display(TransferDisplay.Mode.TERMINAL, 24);
    Digest blob = Digest.of("layer".getBytes(StandardCharsets.UTF_8));
    d.started(blob, 123_456_789);
    d.finished(blob, 123_456_789, Progress.Outcome.PUSHED);
    List<String> drawn = Arrays.asList(out.toString().split("\r\033\\[K"));
    assertTrue(drawn.stream().allMatch(l -> l.length() <= 23), drawn.toString());
    assertTrue(shown().startsWith("1 done, "), shown());
  }

  @Test
  void inALog_aDownloadIsItsStepsOneLine_andNoBar() {
    TransferDisplay d = display(TransferDisplay.Mode.LINES, 80);
    d.listener().step("fetching http://mirror/pool/t/tini_0.19.0-1_amd64.deb (254.7 kB)");
    d.listener().moved("tini_0.19.0-1_amd64.deb", 100, 254_700);
    d.listener().moved("tini_0.19.0-1_amd64.deb", 254_700, 254_700);
    assertEquals("plinth: fetching http://mirror/pool/t/tini_0.19.0-1_amd64.deb (254.7 kB)"
        + System.lineSeparator(), out.toString());
  }
}
