package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The typed documents: what they write is byte for byte what plinth wrote before they existed
 * (the digests below were made by the code that built manifests and indexes as maps), they read
 * back what they write, and hostile input is BAD_INPUT naming the document.
 */
class DocumentsTest {
  static Image image(Platform p, String seed) throws Exception {
    byte[] cfg = ("{\"architecture\":\"" + p.architecture() + "\",\"os\":\"linux\","
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes();
    List<Layer> layers = List.of(
        new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_GZIP, (seed + "a").getBytes()),
            Digest.of((seed + "da").getBytes()), OptionalLong.empty()),
        new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, (seed + "b").getBytes()),
            Digest.of((seed + "db").getBytes()), OptionalLong.empty()));
    Map<String, String> ann = new LinkedHashMap<>();
    ann.put("org.opencontainers.image.title", "demo");
    ann.put("org.opencontainers.image.created", "1970-01-01T00:00:00Z");
    return Image.of(p, Blob.of(MediaTypes.OCI_CONFIG, cfg), layers, ann);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void manifestIndexAndIndexJson_areTheBytesOfBefore() throws Exception {
    Image amd = image(Platform.LINUX_AMD64, "x");
    assertEquals("sha256:49b605c90bf81b3255bbe90692759c1f36f43dc37f07e5a9759b3084dc97277f",
        amd.manifest().descriptor().digest().toString());
    ImageIndex idx = ImageIndex.of(List.of(amd, image(Platform.LINUX_ARM64, "y")),
        new TreeMap<>(Map.of("z", "1", "org.opencontainers.image.title", "demo")));
    assertEquals("sha256:d969f427478bcbb50780649d5dd124226d2619f6678ab9df8d4e0367774d388d",
        idx.index().descriptor().digest().toString());
    byte[] one = OciLayoutWriter.indexJson(null, "x", "v1", idx.top());
    assertEquals("sha256:169fb4025292240210d35b019c3755c02ef99e5ef7249dac11f0731baab94658",
        Digest.of(one).toString());
    byte[] two = OciLayoutWriter.indexJson(one, "x", "v2",
        ImageIndex.of(List.of(amd), Map.of()).top());
    assertEquals("sha256:936034addb5974f43a8438fb2852aae22f8b2df908931dcf8807f4e753de72ff",
        Digest.of(two).toString());
  }

  @Test
  void manifestAndIndex_roundTrip_byteForByte() throws Exception {
    Image amd = image(Platform.LINUX_AMD64, "x");
    byte[] m = amd.manifest().readAllBytes();
    Manifest parsed = Manifest.parse(m, "test manifest");
    assertArrayEquals(m, parsed.bytes());
    assertEquals(2, parsed.layers().size());
    assertTrue(parsed.isImage());
    ImageIndex idx = ImageIndex.of(List.of(amd, image(Platform.LINUX_ARM64, "y")), Map.of("a", "b"));
    byte[] i = idx.index().readAllBytes();
    Index index = Index.parse(i, "test index");
    assertArrayEquals(i, index.bytes());
    assertEquals(Platform.LINUX_ARM64, index.manifests().get(1).platform());
  }

  @Test
  void dockerDocuments_mapOntoTheSameTypes() throws Exception {
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
        + "\",\"config\":{\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\""
        + Digest.of(new byte[1]) + "\",\"size\":1},\"layers\":[{\"mediaType\":\""
        + MediaTypes.DOCKER_LAYER_GZIP + "\",\"digest\":\"" + Digest.of(new byte[2])
        + "\",\"size\":2}]}";
    Manifest m = Manifest.parse(manifest.getBytes(), "docker manifest");
    assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
    assertTrue(m.isImage());
    assertEquals(manifest, text(m.bytes()));
    String list = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST
        + "\",\"manifests\":[{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\""
        + Digest.of(manifest.getBytes()) + "\",\"size\":" + manifest.length()
        + ",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}}]}";
    Index i = Index.parse(list.getBytes(), "docker list");
    assertEquals(new Platform("linux", "arm", "v7"), i.manifests().get(0).platform());
    assertEquals(list, text(i.bytes()));
  }

  @Test
  void artifactManifest_isReadAsAnArtifact_withItsSubject() throws Exception {
    Descriptor subject = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of(new byte[3]), 3);
    String a = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
        + "\",\"artifactType\":\"application/vnd.in-toto+json\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + Digest.of("{}".getBytes())
        + "\",\"size\":2,\"data\":\"e30=\"},\"layers\":[{\"mediaType\":\"application/vnd.in-toto+json\","
        + "\"digest\":\"" + Digest.of(new byte[4]) + "\",\"size\":4}],\"subject\":"
        + text(Json.write(subject.toJson())) + "}";
    Manifest m = Manifest.parse(a.getBytes(), "artifact");
    assertFalse(m.isImage());
    assertEquals("application/vnd.in-toto+json", m.kind());
    assertEquals(subject, m.subject());
    assertEquals("e30=", m.config().data());
    assertEquals(a, text(m.bytes()));
    // an attestation as BuildKit writes it: an image config, but layers that are not filesystems
    Manifest buildkit = Manifest.of(MediaTypes.OCI_MANIFEST, new Descriptor(MediaTypes.OCI_CONFIG,
        Digest.of(new byte[5]), 5), List.of(new Descriptor("application/vnd.in-toto+json",
        Digest.of(new byte[6]), 6)), Map.of());
    assertFalse(buildkit.isImage());
  }

  static final String PLINTH_CONFIG = "{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":"
      + "\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"config\":{\"User\":\"65532:65532\","
      + "\"ExposedPorts\":{\"8080/tcp\":{}},\"Env\":[\"HOME=/app\",\"PATH=/usr/bin\"],"
      + "\"Entrypoint\":[\"/sbin/plinth-init\",\"--\",\"/app/server\"],\"Cmd\":[\"--port\"],"
      + "\"WorkingDir\":\"/app\",\"Labels\":{\"org.opencontainers.image.created\":"
      + "\"2023-11-14T22:13:20Z\",\"team\":\"core\"},\"StopSignal\":\"SIGINT\"},\"rootfs\":"
      + "{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.of(new byte[7]) + "\"]},\"history\":"
      + "[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"plinth: 2 file entries\","
      + "\"comment\":\"plinth 0.1.0\"}]}";

  @Test
  void imageConfig_asPlinthWritesIt_roundTripsByteForByte() throws Exception {
    ImageConfig c = ImageConfig.parse(PLINTH_CONFIG.getBytes(), "config");
    assertEquals(PLINTH_CONFIG, text(c.bytes()));
    assertEquals(new Platform("linux", "arm64", "v8"), c.platform());
    assertEquals("/app", c.runConfig().envMap().get("HOME"));
    assertEquals(List.of("8080/tcp"), c.runConfig().exposedPorts());
    ImageConfig built = new ImageConfig("2023-11-14T22:13:20Z", null, "arm64", "v8", "linux",
        new ImageConfig.Config("65532:65532", List.of("8080/tcp"),
            List.of("HOME=/app", "PATH=/usr/bin"), List.of("/sbin/plinth-init", "--",
            "/app/server"), List.of("--port"), List.of(), "/app", new TreeMap<>(Map.of(
            "org.opencontainers.image.created", "2023-11-14T22:13:20Z", "team", "core")),
            "SIGINT", null, Map.of()),
        ImageConfig.RootFs.layers(List.of(Digest.of(new byte[7]))),
        List.of(ImageConfig.History.of("2023-11-14T22:13:20Z", "plinth: 2 file entries",
            "plinth 0.1.0")), Map.of());
    assertEquals(PLINTH_CONFIG, text(built.bytes()));
  }

  @Test
  void dockerConfig_nullsOldStringFormsAndUnknownFields_areRead() throws Exception {
    String docker = "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"Env\":null,"
        + "\"Cmd\":\"sh -c x\",\"Entrypoint\":null,\"Volumes\":{\"/data\":{}},\"Healthcheck\":"
        + "{\"Test\":[\"CMD\",\"true\"],\"Interval\":30000000000},\"OnBuild\":null},"
        + "\"container\":\"abc\",\"history\":[{\"author\":\"ko\",\"created\":\"1970-01-01T00:00:00Z\","
        + "\"created_by\":\"ko build\",\"empty_layer\":true}],\"os\":\"linux\","
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    ImageConfig c = ImageConfig.parse(docker.getBytes(), "docker config");
    ImageConfig.Config run = c.runConfig();
    assertEquals(List.of("sh -c x"), run.cmd());
    assertEquals(List.of(), run.env());
    assertEquals(List.of("/data"), run.volumes());
    assertEquals(List.of("CMD", "true"), run.healthcheck().test());
    assertEquals(30_000_000_000L, run.healthcheck().interval());
    assertEquals("", run.extra().get("Hostname"));
    assertEquals("abc", c.extra().get("container"));
    ImageConfig.History h = c.historyOrEmpty().get(0);
    assertEquals("ko build", h.createdBy());
    assertTrue(h.emptyLayer());
    // an inherited entry keeps its fields in their order
    assertEquals("{\"author\":\"ko\",\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":"
        + "\"ko build\",\"empty_layer\":true}", text(Json.write(h.fields())));
    assertNull(c.created());
  }

  /** Hostile documents: each is BAD_INPUT, and the message names the document and the field. */
  /** A document parser: bytes, and what names them in errors. */
  interface Parser {
    Object parse(byte[] bytes, String what) throws PlinthException;
  }

  /**
   * Each case, {JSON, what the message says}, fails to parse as BAD_INPUT with a message that
   * starts with {@code what} and names the problem.
   */
  private static void assertBadInput(Parser parser, String what, Object[][] cases) {
    for (Object[] c : cases) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> parser.parse(((String) c[0]).getBytes(), what));
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
      assertTrue(e.getMessage().startsWith(what), e.getMessage());
      assertTrue(e.getMessage().contains((String) c[1]), c[1] + " in: " + e.getMessage());
    }
  }

  @Test
  void hostileDocuments_areBadInput_namingTheDocumentAndTheField() {
    String d = "\"digest\":\"" + Digest.of(new byte[1]) + "\"";
    String config = "\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\"," + d
        + ",\"size\":1}";
    Object[][] manifests = {
        {"{\"schemaVersion\":2," + config + "}", "'layers'"},
        {"{\"schemaVersion\":2,\"layers\":[]}", "'config'"},
        {"{\"schemaVersion\":\"2\"," + config + ",\"layers\":[]}", "schemaVersion"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":{}}", "'layers' is not a list"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":[7]}", "layers[0] is not an object"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":[{\"mediaType\":\"x\"," + d
            + ",\"size\":-1}]}", "no valid size"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":[{\"mediaType\":\"x\","
            + "\"digest\":\"md5:abc\",\"size\":1}]}", "'md5:abc' is not a sha256 digest"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":[],\"annotations\":{\"a\":1}}",
            "'annotations' has a value that is not a string"},
        {"{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"," + config
            + ",\"layers\":[]}", "not an OCI or Docker v2 image manifest"},
        {"[]", "not a JSON object"},
        {"{\"schemaVersion\":2,\"schemaVersion\":2}", "Duplicate field"},
        {"{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}", "not valid JSON"},
        {"{\"schemaVersion\":2," + config + ",\"layers\":[" + ("{},".repeat(10_000)) + "{}]}",
            "over the limit of 10000"},
    };
    assertBadInput(Manifest::parse, "oci:x manifest sha256:abc", manifests);
    byte[] big = new byte[ImageReader.MAX_DOCUMENT + 1];
    PlinthException tooBig = assertThrows(PlinthException.class, () -> Index.parse(big, "idx"));
    assertTrue(tooBig.getMessage().contains("over the 4194304-byte limit"), tooBig.getMessage());
    PlinthException noList = assertThrows(PlinthException.class,
        () -> Index.parse("{\"schemaVersion\":2}".getBytes(), "oci:x index.json"));
    assertTrue(noList.getMessage().contains("oci:x index.json: has no 'manifests' list"),
        noList.getMessage());
    PlinthException noOs = assertThrows(PlinthException.class, () -> Index.parse(
        ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\"," + d + ",\"size\":1,"
            + "\"platform\":{\"architecture\":\"amd64\"}}]}").getBytes(), "idx"));
    assertTrue(noOs.getMessage().contains("idx manifests[0] platform: has no 'os'"),
        noOs.getMessage());
  }

  @Test
  void hostileConfigs_areBadInput_namingTheField() {
    String root = "\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[]}";
    Object[][] configs = {
        {"{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", "'architecture'"},
        {"{\"architecture\":\"amd64\",\"os\":\"linux\"}", "'rootfs'"},
        {"{" + root.replace("[]", "[\"nope\"]") + "}", "diff_id 0 is not a sha256 digest"},
        {"{" + root + ",\"config\":{\"User\":7}}", "'User' is not a string"},
        {"{" + root + ",\"config\":{\"Env\":\"PATH\"}}", "'Env' is not a list"},
        {"{" + root + ",\"config\":{\"Env\":[1]}}", "Env[0] is not a string"},
        {"{" + root + ",\"config\":{\"Labels\":[\"x\"]}}", "'Labels' is not an object"},
        {"{" + root + ",\"config\":{\"Volumes\":\"nope\"}}", "'Volumes' is not an object"},
        {"{" + root + ",\"config\":{\"Healthcheck\":\"CMD true\"}}", "'Healthcheck' is not an"},
        {"{" + root + ",\"history\":[{\"created_by\":1}]}", "'created_by' is not a string"},
        {"{" + root + ",\"history\":[{\"empty_layer\":\"yes\"}]}", "'empty_layer' is not true"},
    };
    assertBadInput(ImageConfig::parse, "oci:x config sha256:abc", configs);
  }
}
