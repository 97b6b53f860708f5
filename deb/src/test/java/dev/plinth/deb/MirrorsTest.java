package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorsTest {
  @TempDir Path apt;

  private void write(String name, String text) throws IOException {
    Path p = apt.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private Mirrors.Source find() throws PlinthException {
    return Mirrors.find(null, apt);
  }

  @Test
  void deb822Sources_giveTheMainArchive_notTheSecurityOne() throws Exception {
    write("sources.list.d/debian.sources", """
        Types: deb
        # http://snapshot.example.invalid/archive/debian/20250520T000000Z
        URIs: http://deb.example.invalid/debian
        Suites: bookworm bookworm-updates
        Components: main
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

        Types: deb
        URIs: http://deb.example.invalid/debian-security
        Suites: bookworm-security
        Components: main
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
        """);
    Mirrors.Source s = find();
    assertEquals(URI.create("http://deb.example.invalid/debian/"), s.uri());
    assertEquals(List.of("bookworm", "bookworm-updates"), s.suites());
    assertTrue(s.origin().endsWith("debian.sources"));
  }

  @Test
  void securityFirst_isSkipped() throws Exception {
    write("sources.list.d/a.sources", """
        Types: deb
        URIs: https://security.example.invalid/debian
        Suites: trixie
        Components: main
        """);
    write("sources.list.d/b.sources", """
        Types: deb deb-src
        URIs: https://mirror.example.invalid/debian/
        Suites: trixie-security trixie
        Components: main
        """);
    Mirrors.Source s = find();
    assertEquals(URI.create("https://mirror.example.invalid/debian/"), s.uri());
    assertEquals(List.of("trixie"), s.suites());
  }

  @Test
  void oneLineSources_withOptionsCommentsAndSourceLines() throws Exception {
    write("sources.list", """
        # deb http://commented.example.invalid/debian bookworm main
        deb-src http://src.example.invalid/debian bookworm main
        deb http://security.example.invalid/debian-security bookworm-security main
        deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.example.invalid/debian bookworm main contrib # the mirror
        deb http://ftp.example.invalid/debian bookworm-updates main
        """);
    Mirrors.Source s = find();
    assertEquals(URI.create("http://ftp.example.invalid/debian/"), s.uri());
    assertEquals(List.of("bookworm", "bookworm-updates"), s.suites());
  }

  @Test
  void sourcesListComesBeforeSourcesListD() throws Exception {
    write("sources.list", "deb http://first.example.invalid/debian stable main\n");
    write("sources.list.d/other.list", "deb http://second.example.invalid/debian stable main\n");
    assertEquals(URI.create("http://first.example.invalid/debian/"), find().uri());
  }

  @Test
  void disabledFilesAndEntries_andThirdPartyRepositories_areSkipped() throws Exception {
    write("sources.list.d/a.list.disabled-by-farm", "deb http://off1.example.invalid/debian bookworm main\n");
    write("sources.list.d/b.sources.save", "Types: deb\nURIs: http://off2.example.invalid/debian\nSuites: bookworm\n");
    write("sources.list.d/c.sources", """
        Enabled: no
        Types: deb
        URIs: http://off3.example.invalid/debian
        Suites: bookworm
        Components: main
        """);
    write("sources.list.d/d.list", "deb https://vendor.example.invalid/apt cloud-sdk-bookworm main\n");
    write("sources.list.d/e.sources", """
        Types: deb
        URIs: https://nodes.example.invalid/node_20.x
        Suites: nodistro
        Components: main
        """);
    write("sources.list.d/f.list", "deb cdrom:[Debian GNU/Linux]/ bookworm main\n");
    PlinthException e = assertThrows(PlinthException.class, this::find);
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains(Mirrors.ENV), e.getMessage());
    write("sources.list.d/g.sources", """
        Types: deb
        URIs: http://on.example.invalid/debian
        Suites: bookworm
        Components: main
        """);
    assertEquals(URI.create("http://on.example.invalid/debian/"), find().uri());
  }

  @Test
  void aMirrorUnderAnotherPath_isFoundByItsSuiteOrItsKeyring() throws Exception {
    write("sources.list.d/a.list", "deb http://m.example.invalid/pub/linux/ sid main\n");
    assertEquals(URI.create("http://m.example.invalid/pub/linux/"), find().uri());
    write("sources.list.d/a.list",
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://n.example.invalid/x custom main\n");
    assertEquals(URI.create("http://n.example.invalid/x/"), find().uri());
  }

  @Test
  void environmentVariable_winsOverApt() throws Exception {
    write("sources.list", "deb http://apt.example.invalid/debian stable main\n");
    Mirrors.Source s = Mirrors.find("http://env.example.invalid/debian", apt);
    assertEquals(URI.create("http://env.example.invalid/debian/"), s.uri());
    assertEquals(List.of(), s.suites());
    assertEquals(Mirrors.ENV, s.origin());
    PlinthException e = assertThrows(PlinthException.class,
        () -> Mirrors.find("ftp://x.example.invalid/debian", apt));
    assertEquals(Kind.USAGE, e.kind());
  }

  @Test
  void nothingConfigured_isNotFound_withInstructions() {
    PlinthException e = assertThrows(PlinthException.class, this::find);
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains(Mirrors.ENV), e.getMessage());
    assertTrue(e.getMessage().contains("sources.list.d"), e.getMessage());
  }
}
