package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageRefTest {
  @Test
  void transports_parseAsContainersTransportsDoes() throws Exception {
    ImageRef oci = ImageRef.parse("oci:out/layout:v1");
    assertEquals(ImageRef.OCI, oci.transport());
    assertEquals(Path.of("out/layout"), oci.path());
    assertEquals("v1", oci.name());
    ImageRef archive = ImageRef.parse("oci-archive:base.tar");
    assertEquals(ImageRef.OCI_ARCHIVE, archive.transport());
    assertNull(archive.name());
    ImageRef docker = ImageRef.parse("docker-archive:base.tar:plinth/base:1");
    assertEquals("plinth/base:1", docker.name());
    assertEquals("plinth/base:latest", ImageRef.parse("docker-archive:b.tar:plinth/base").name());
    assertEquals("localhost:5000/app:1", ImageRef.parse("docker-archive:b.tar:localhost:5000/app:1").name());
    assertEquals(ImageRef.REGISTRY, ImageRef.parse("localhost:5000/team/base:1").transport());
    assertEquals("localhost:5000/a:1", ImageRef.parse("docker://localhost:5000/a:1").name());
    ImageRef dir = ImageRef.parse("dir:out/a:b");
    assertEquals(ImageRef.DIR, dir.transport());
    assertEquals(Path.of("out/a:b"), dir.path());
    assertNull(dir.name());
    assertEquals("dir:out/a:b", dir.toString());
  }

  @Test
  void tag_isWhatTheLatestRuleLooksAt() throws Exception {
    assertEquals("latest", ImageRef.parse("localhost:5000/app").tag());
    assertEquals("1", ImageRef.parse("localhost:5000/app:1").tag());
    assertNull(ImageRef.parse("localhost:5000/app@sha256:" + "a".repeat(64)).tag());
    assertEquals("v1", ImageRef.parse("oci:x:v1").tag());
    assertEquals("latest", ImageRef.parse("docker-archive:x.tar:app").tag());
    assertNull(ImageRef.parse("docker-daemon:" + "a".repeat(12)).tag());
    assertNull(ImageRef.parse("dir:x").tag());
  }

  @Test
  void withTag_namesTheSameLayoutArchiveOrRepository() throws Exception {
    assertEquals("oci:out:v2", ImageRef.parse("oci:out:v1").withTag("v2").toString());
    assertEquals("oci-archive:a.tar:v2", ImageRef.parse("oci-archive:a.tar").withTag("v2").toString());
    assertEquals("localhost:5000/team/app:v2",
        ImageRef.parse("localhost:5000/team/app:1").withTag("v2").toString());
    assertEquals("localhost:5000/app:v2", ImageRef.parse("docker://localhost:5000/app@sha256:"
        + "a".repeat(64)).withTag("v2").toString());
    assertEquals("docker-archive:x.tar:app:v2",
        ImageRef.parse("docker-archive:x.tar:app:1").withTag("v2").toString());
    assertEquals("docker-daemon:localhost/app:v2",
        ImageRef.parse("docker-daemon:localhost/app:1").withTag("v2").toString());
  }

  @Test
  void withTag_badTagOrUntaggableTarget_isAUsageError() throws Exception {
    for (String[] c : new String[][] {{"oci:out", "bad tag"}, {"oci:out", ".hidden"},
        {"dir:out", "v2"}, {"docker-archive:x.tar", "v2"}, {"docker-daemon:" + "a".repeat(12), "v2"}}) {
      ImageRef ref = ImageRef.parse(c[0]);
      PlinthException e = assertThrows(PlinthException.class, () -> ref.withTag(c[1]), c[0]);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().contains(c[0]), e.getMessage());
    }
  }

  @Test
  void badReferences_areUsageErrorsNamingThem() {
    for (String bad : new String[] {"", "base.tar", "oci:", "tar:x", "docker-archive:x.tar:UPPER:1",
        "oci-archive:x.tar:bad tag", "docker:x", "dir:"}) {
      PlinthException e = assertThrows(PlinthException.class, () -> ImageRef.parse(bad), bad);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
