package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** What plinth wrote with Jackson's ObjectMapper before: the reference for byte identity. */
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static Map<String, Object> manifest() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("mediaType", "application/vnd.oci.image.config.v1+json");
    c.put("digest", "sha256:" + "ab".repeat(32));
    c.put("size", 1234L);
    m.put("config", c);
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip");
    l.put("digest", "sha256:" + "cd".repeat(32));
    l.put("size", 5_000_000_000L);
    m.put("layers", List.of(l));
    m.put("annotations", new TreeMap<>(Map.of("org.opencontainers.image.description",
        "caf\u00e9 \"quoted\" \\ tab\t nl\n ctl\u0001 \ud83d\ude00 \u2028", "b", "")));
    return m;
  }

  private static Map<String, Object> everything() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "a\u0000\u0001\u001f\u007f\"\\/\b\f\n\r\t \u00e9\u20ac\ud83d\ude00 \ud800x\udc00");
    m.put("int", -7);
    m.put("long", Long.MIN_VALUE);
    m.put("short", (short) 3);
    m.put("double", 1.5);
    m.put("small", 1e-7);
    m.put("nan", Double.NaN);
    m.put("inf", Double.NEGATIVE_INFINITY);
    m.put("float", 1.0f);
    m.put("bigint", new BigInteger("123456789012345678901234567890"));
    m.put("bigdec", new BigDecimal("1.50E+3"));
    m.put("true", true);
    m.put("null", null);
    m.put("emptyList", List.of());
    m.put("emptyMap", Map.of());
    m.put("nested", List.of(1, Map.of("a", List.of(2L, List.of())), List.of(List.of("x"))));
    m.put("enum", Thread.State.NEW);
    m.put("char", 'c');
    m.put("array", new String[] {"q", "r"});
    m.put("key \"\n\u00e9", "v");
    return m;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void write_manifest_knownDigest() throws Exception {
    byte[] b = Json.write(manifest());
    assertEquals("cd3b3232cdf7472fbd13f097c477f23b5cd7984f632139879f61002287a9fd33", sha256(b));
    assertTrue(new String(b, StandardCharsets.UTF_8).startsWith(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","));
  }

  @Test
  void write_everyKind_sameBytesAsJackson() throws Exception {
    assertArrayEquals(JACKSON.writeValueAsBytes(everything()), Json.write(everything()));
    assertArrayEquals(JACKSON.writeValueAsBytes(manifest()), Json.write(manifest()));
  }

  @Test
  void write_escapes() {
    assertEquals("[\"\\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001F\u007f\u00e9\\uD83D\\uDE00\"]",
        new String(Json.write(List.of("\"\\\b\t\n\f\r\u0000\u001f\u007f\u00e9\ud83d\ude00")),
            StandardCharsets.UTF_8));
    // non-ASCII in the BMP as raw UTF-8
    assertArrayEquals(new byte[] {'"', (byte) 0xc3, (byte) 0xa9, '"'}, Json.write("\u00e9"));
  }

  @Test
  void write_randomStrings_sameBytesAsJackson() throws Exception {
    Random r = new Random(42);
    char[] pool = {'a', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', '\u00e9', '\u20ac',
        '\ud83d', '\ude00', '\ud800', '\udfff', '\u2028', '\ufeff', ' '};
    for (int i = 0; i < 2000; i++) {
      StringBuilder s = new StringBuilder();
      int n = r.nextInt(12);
      for (int k = 0; k < n; k++) {
        s.append(r.nextBoolean() ? pool[r.nextInt(pool.length)] : (char) r.nextInt(0x10000));
      }
      Map<String, Object> m = Map.of(s.toString(), List.of(s.toString()));
      assertArrayEquals(JACKSON.writeValueAsBytes(m), Json.write(m), "for " + s);
      assertEquals(JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(m)
          .replace(System.lineSeparator(), "\n"), Json.writePretty(m), "for " + s);
    }
  }

  @Test
  void writePretty_sameTextAsJackson() throws Exception {
    String jackson = JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(everything())
        .replace(System.lineSeparator(), "\n");
    assertEquals(jackson, Json.writePretty(everything()));
    assertEquals("{\n  \"a\" : [ 1, {\n    \"b\" : { }\n  }, [ ] ]\n}",
        Json.writePretty(Map.of("a", List.of(1, Map.of("b", Map.of()), List.of()))));
  }

  @Test
  void write_jsonNodes_sameBytesAsJackson() throws Exception {
    byte[] doc = ("{\"a\":[1,12345678901,123456789012345678901234,1.5,-0.0,true,false,null,{}],"
        + "\"b\":{\"c\":\"\\u00e9\\ud83d\\ude00\\n\"},\"d\":[]}").getBytes(StandardCharsets.UTF_8);
    JsonNode mine = Json.read(doc, "doc");
    assertEquals(JACKSON.readTree(doc), mine);
    assertArrayEquals(JACKSON.writeValueAsBytes(mine), Json.write(mine));
    assertArrayEquals(doc.length > 0 ? JACKSON.writeValueAsBytes(JACKSON.readTree(doc)) : doc,
        Json.write(mine));
    assertEquals(JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(mine)
        .replace(System.lineSeparator(), "\n"), Json.writePretty(mine));
    List<Object> mixed = new ArrayList<>();
    mixed.add(mine.get("b"));
    mixed.add(Map.of("n", mine.get("a")));
    assertArrayEquals(JACKSON.writeValueAsBytes(mixed), Json.write(mixed));
  }

  @Test
  void write_unsupportedType_fails() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Json.write(List.of(new Object())));
    assertTrue(e.getMessage().contains("cannot serialize class java.lang.Object"), e.getMessage());
    Map<Object, Object> badKey = new LinkedHashMap<>();
    badKey.put(List.of(), 1);
    assertThrows(IllegalStateException.class, () -> Json.write(badKey));
  }

  @Test
  void read_numbers_sameNodesAsJackson() throws Exception {
    JsonNode n = Json.read(
        "{\"i\":1,\"l\":12345678901,\"b\":123456789012345678901234,\"d\":1.5,\"e\":1e3}"
            .getBytes(StandardCharsets.UTF_8), "doc");
    assertEquals(IntNode.class, n.get("i").getClass());
    assertEquals(LongNode.class, n.get("l").getClass());
    assertEquals(BigIntegerNode.class, n.get("b").getClass());
    assertEquals(DoubleNode.class, n.get("d").getClass());
    assertEquals(1000.0, n.get("e").doubleValue());
    assertEquals(12345678901L, n.get("l").asLong());
  }

  @Test
  void read_duplicateKey_rejected() {
    PlinthException e = assertThrows(PlinthException.class, () -> Json.read(
        "{\"a\":{\"x\":1,\"x\":2}}".getBytes(StandardCharsets.UTF_8), "index.json of out"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("index.json of out is not valid JSON: Duplicate field 'x'"),
        e.getMessage());
  }

  @Test
  void read_depth64_accepted_depth65_rejected() throws Exception {
    String ok = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
    assertEquals(63, depth(Json.read(ok.getBytes(StandardCharsets.UTF_8), "doc").get("a")));
    String deep = "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}";
    PlinthException e = assertThrows(PlinthException.class,
        () -> Json.read(deep.getBytes(StandardCharsets.UTF_8), "deep.json"));
    assertTrue(e.getMessage().startsWith("deep.json is not valid JSON: Document nesting depth (65)"
        + " exceeds the maximum allowed (64"), e.getMessage());
  }

  private static int depth(JsonNode n) {
    return n.isArray() ? 1 + (n.isEmpty() ? 0 : depth(n.get(0))) : 0;
  }

  @Test
  void read_longNumber_rejected() throws Exception {
    assertEquals(new BigInteger("9".repeat(32)),
        Json.read(("{\"n\":" + "9".repeat(32) + "}").getBytes(StandardCharsets.UTF_8), "doc")
            .get("n").bigIntegerValue());
    PlinthException e = assertThrows(PlinthException.class, () -> Json.read(
        ("{\"n\":" + "9".repeat(33) + "}").getBytes(StandardCharsets.UTF_8), "doc"));
    assertTrue(e.getMessage().contains("Number value length (33) exceeds the maximum allowed (32"),
        e.getMessage());
  }

  @Test
  void read_longString_rejected() throws Exception {
    String ok = "x".repeat(1 << 20);
    assertEquals(ok, Json.read(("{\"s\":\"" + ok + "\"}").getBytes(StandardCharsets.UTF_8), "doc")
        .get("s").textValue());
    PlinthException e = assertThrows(PlinthException.class, () -> Json.read(
        ("{\"s\":\"" + ok + "x\"}").getBytes(StandardCharsets.UTF_8), "doc"));
    assertTrue(e.getMessage().contains("String value length (1048577) exceeds the maximum allowed"),
        e.getMessage());
  }

  @Test
  void read_notAnObject_rejected() {
    for (String s : List.of("", "  ", "[1,2]", "\"x\"", "null", "3")) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> Json.read(s.getBytes(StandardCharsets.UTF_8), "config of x"));
      assertEquals("config of x is not a JSON object", e.getMessage());
    }
  }

  @Test
  void read_malformed_namesTheDocument() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> Json.read("{\"a\":tru}".getBytes(StandardCharsets.UTF_8), "manifest of y"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("manifest of y is not valid JSON: Unrecognized token"),
        e.getMessage());
  }

  @Test
  void readAny_arrayAndEmpty() throws Exception {
    assertEquals(2, Json.readAny("[1,{}]".getBytes(StandardCharsets.UTF_8), "doc").size());
    assertTrue(Json.readAny(new byte[0], "doc").isMissingNode());
  }
}
