package dev.plinth.audit;

import static dev.plinth.audit.TestImages.app;
import static dev.plinth.audit.TestImages.audit;
import static dev.plinth.audit.TestImages.base;
import static dev.plinth.audit.TestImages.config;
import static dev.plinth.audit.TestImages.gzipLayer;
import static dev.plinth.audit.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TestTar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Malformed input never crashes an audit: random corruption of a layer, of /etc/passwd, of an ELF
 * file and of the config gives findings or BAD_INPUT, never another exception.
 */
class MalformedInputTest {
  private static final int ROUNDS = 300;

  /** Audits and accepts a report or a BAD_INPUT failure; anything else fails the test. */
  private static void survives(Image image, String what) {
    try {
      assertNotNull(audit(image));
    } catch (PlinthException e) {
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), what + ": " + e.getMessage());
    } catch (Exception | Error e) {
      throw new AssertionError(what + ": " + e, e);
    }
  }

  private static byte[] corrupt(byte[] in, Random r) {
    byte[] b = in.clone();
    int flips = 1 + r.nextInt(8);
    for (int i = 0; i < flips; i++) {
      b[r.nextInt(b.length)] = (byte) r.nextInt(256);
    }
    if (r.nextInt(10) == 0) {
      b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
    }
    return b;
  }

  private static Layer consistentTarLayer(byte[] tar) {
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, tar), Digest.of(tar),
        OptionalLong.empty());
  }

  @Test
  void corruptedLayers_giveFindingsOrBadInput() {
    byte[] tar = base().file("etc/shadow", "root:*:1::::::\n").bytes();
    Random r = new Random(42);
    for (int i = 0; i < ROUNDS; i++) {
      // Digests match the corrupted bytes, so the tar reader and the flattener see the garbage.
      byte[] bad = corrupt(tar, r);
      survives(image(config(), consistentTarLayer(bad), app()), "round " + i);
    }
  }

  @Test
  void corruptedCompressedLayers_giveBadInput() {
    byte[] gz = HostileLayersTest.gzip(base().bytes());
    Random r = new Random(7);
    for (int i = 0; i < ROUNDS / 3; i++) {
      byte[] bad = corrupt(gz, r);
      Layer l = new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_GZIP, bad),
          Digest.of(base().bytes()), OptionalLong.empty());
      survives(image(config(), l, app()), "round " + i);
    }
  }

  @Test
  void randomAccountFiles_giveFindingsOnly() throws Exception {
    Random r = new Random(1);
    String alphabet = "root:x0123456789:\n\n#+-/abc \u00e9\t\r\u0000";
    for (int i = 0; i < ROUNDS; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(400);
      for (int k = 0; k < n; k++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      byte[] passwd = r.nextBoolean() ? sb.toString().getBytes(StandardCharsets.UTF_8)
          : randomBytes(r, n);
      TestTar t = new TestTar().file("etc/passwd", passwd, 0644).file("etc/group", passwd, 0644)
          .file("etc/shadow", passwd, 0640);
      assertNotNull(audit(image(config(), gzipLayer(base().bytes()), app(),
          gzipLayer(t.bytes()))));
    }
  }

  @Test
  void randomElfFiles_giveFindingsOnly() throws Exception {
    Random r = new Random(3);
    byte[] elf = TestElf.program("libc.so.6", "libm.so.6").runpath("$ORIGIN").build();
    for (int i = 0; i < ROUNDS; i++) {
      byte[] bad = corrupt(elf, r);
      TestTar t = new TestTar().file("app/server", bad, 0755).file("app/lib.so.1", bad, 0644);
      assertNotNull(audit(image(config(), gzipLayer(base().bytes()), gzipLayer(t.bytes()))));
    }
  }

  @Test
  void oddConfigs_giveFindingsOnly() throws Exception {
    List<Map<String, Object>> configs = new ArrayList<>();
    for (Object user : List.of(7, "", ":", "::", "99999999999999999999", "a:b:c", List.of())) {
      Map<String, Object> c = config();
      c.put("User", user);
      configs.add(c);
    }
    for (Object ep : List.of("", List.of(""), List.of("--"), Map.of("x", 1), List.of(List.of()),
        "sh -c x", List.of("/sbin/plinth-init"), List.of("/sbin/plinth-init", "-e"))) {
      Map<String, Object> c = config();
      c.put("Entrypoint", ep);
      configs.add(c);
    }
    for (Object env : List.of("PATH", List.of("=", "A", "=x", "HOME="), Map.of("A", "B"),
        List.of(1, 2))) {
      Map<String, Object> c = config();
      c.put("Env", env);
      configs.add(c);
    }
    Map<String, Object> c = config();
    c.put("Labels", List.of("x"));
    c.put("Volumes", "nope");
    c.put("Healthcheck", "CMD true");
    configs.add(c);
    for (Map<String, Object> conf : configs) {
      assertNotNull(audit(image(conf, gzipLayer(base().bytes()), app())), conf.toString());
    }
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
