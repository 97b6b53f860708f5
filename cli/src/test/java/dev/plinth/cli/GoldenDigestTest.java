package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.builder.TestProjects;
import dev.plinth.deb.testing.TestDeb;
import dev.plinth.deb.testing.TestRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact digests of three builds, pinned: the minimal base, a build with files and options,
 * and a build with locked Debian packages. Any change that moves a byte of what plinth writes
 * fails here and must say so (update the digest in the same commit, with the reason).
 *
 * <p>The builds go through the command line as a user types them, so the test survives changes of
 * the library's shape.
 */
class GoldenDigestTest {
  /** {@code plinth base}, both platforms, SOURCE_DATE_EPOCH unset. */
  static final String BASE =
      "sha256:0f8c2f4bb6e3dfca70dab18d164310eecdfc2d8748cb27e49ae8789595f873dd";
  /** A plinth.yaml with files, a symlink, env, ports, labels and annotations: TestProjects.demo. */
  static final String FILES =
      "sha256:ea33f71c89cc4e50ddc4e6730841edadde0ad3369b734cf292581e081d84cd84";
  /** Locked Debian packages from a generated repository. */
  static final String DEBIAN =
      "sha256:bad330ee3c04b77935bc68c96a16720c5e3ed22eb7c71cdf6f3eede5140bee90";

  @TempDir Path tmp;

  private static String topDigest(Path layout) throws Exception {
    JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
    JsonNode manifests = index.path("manifests");
    assertEquals(1, manifests.size(), index.toString());
    return manifests.get(0).path("digest").asText();
  }

  private static long files(Path dir) throws Exception {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private static void ok(MainTest.Run r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }

  @Test
  void base_hasItsPinnedDigest() throws Exception {
    Path out = tmp.resolve("base");
    ok(MainTest.plinth(Map.of(), "base", "--to", "oci:" + out + ":1"));
    assertEquals(BASE, topDigest(out));
  }

  @Test
  void buildWithFiles_hasItsPinnedDigest() throws Exception {
    Path yaml = TestProjects.demo(tmp.resolve("proj"), "");
    Path out = tmp.resolve("demo");
    ok(MainTest.plinth(Map.of("SOURCE_DATE_EPOCH", "1700000000"), "build", "-f",
        yaml.toString(), "--to", "oci:" + out + ":1"));
    assertEquals(FILES, topDigest(out));
  }

  @Test
  void lockedDebianPackages_haveTheirPinnedDigest() throws Exception {
    try (TestRepo repo = new TestRepo(tmp.resolve("repo")).suite("bookworm").codename("bookworm")) {
      repo.addPackage("all", TestDeb.of("ca-certificates", "20230311", "all").fields(),
          TestDeb.of("ca-certificates", "20230311", "all")
              .dir("/usr/share/ca-certificates/mozilla", 0755)
              .file("/usr/share/ca-certificates/mozilla/A.crt",
                  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0644)
              .file("/usr/share/doc/ca-certificates/copyright", "MPL-2.0", 0644).build());
      for (String arch : List.of("amd64", "arm64")) {
        TestDeb tz = TestDeb.of("tzdata", "2024a-0+deb12u1", "all")
            .file("/usr/share/zoneinfo/Etc/UTC", "TZif-utc", 0644)
            .symlink("/usr/share/zoneinfo/UTC", "Etc/UTC");
        if (arch.equals("amd64")) {
          repo.addPackage("all", tz.fields(), tz.build());
        }
        TestDeb libc = TestDeb.of("libc6", "2.36-9", arch)
            .file("/usr/lib/" + arch + "/libc.so.6", "libc-" + arch, 0755);
        repo.addPackage(arch, libc.fields(), libc.build());
      }
      String mirror = repo.start().toString();
      Path dir = tmp.resolve("proj");
      Files.createDirectories(dir);
      Files.copy(repo.keyring(), dir.resolve("keyring.gpg"));
      Files.writeString(dir.resolve("plinth.yaml"), "packages: [ca-certificates, tzdata, libc6]\n"
          + "debian: {suite: bookworm, mirror: \"" + mirror + "\", keyring: keyring.gpg}\n");
      Map<String, String> env = Map.of("XDG_CACHE_HOME", tmp.resolve("cache").toString());
      ok(MainTest.plinth(env, "lock", "-f", dir.resolve("plinth.yaml").toString()));
      // the cache the environment names is the one used (not the user's own)
      Path blobs = tmp.resolve("cache/plinth/blobs/sha256");
      long indexes = files(blobs);
      assertTrue(indexes > 0, "nothing cached in " + blobs);
      Path out = tmp.resolve("debian");
      ok(MainTest.plinth(env, "build", "-f", dir.resolve("plinth.yaml").toString(), "--locked",
          "--to", "oci:" + out + ":1"));
      assertEquals(DEBIAN, topDigest(out));
      assertEquals(indexes + 4, files(blobs), "the four .debs of the build, cached");
    }
  }
}
