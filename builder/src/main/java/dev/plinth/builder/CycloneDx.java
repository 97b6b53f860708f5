package dev.plinth.builder;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A CycloneDX 1.6 JSON document per platform, written from the same {@link Sbom.Inventory} as
 * the SPDX one: the image as {@code metadata.component} (type container, its purl), every package
 * as a component (purl, sha256, license expression, supplier), and the image depending on each.
 * Reproducible: the time is the build's (SOURCE_DATE_EPOCH), and the serial number a name-based
 * UUID (version 5) of the rest of the document.
 */
final class CycloneDx {
  static final String SPEC_VERSION = "1.6";

  /** RFC 4122's namespace for URLs, under which the serial number is named. */
  private static final UUID URL_NAMESPACE =
      UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

  private CycloneDx() {}

  static byte[] document(Sbom.Inventory inv) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("timestamp", inv.created());
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("type", "application");
    tool.put("name", "plinth");
    tool.put("version", Plinth.VERSION);
    metadata.put("tools", object("components", List.of(tool)));
    Map<String, Object> image = new LinkedHashMap<>();
    image.put("type", "container");
    image.put("bom-ref", inv.purl());
    image.put("name", inv.name());
    image.put("version", inv.manifest().toString());
    image.put("purl", inv.purl());
    image.put("properties", List.of(property("plinth:platform", inv.platform().toString())));
    metadata.put("component", image);

    List<Object> components = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Sbom.Item i : inv.items()) {
      String ref = i.purl();
      for (int n = 2; !seen.add(ref); n++) {
        ref = i.purl() + "#" + n;
      }
      refs.add(ref);
      components.add(component(i, ref));
    }
    Map<String, Object> dependency = new LinkedHashMap<>();
    dependency.put("ref", inv.purl());
    dependency.put("dependsOn", refs);

    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metadata", metadata);
    body.put("components", components);
    body.put("dependencies", List.of(dependency));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("$schema", "http://cyclonedx.org/schema/bom-" + SPEC_VERSION + ".schema.json");
    doc.put("bomFormat", "CycloneDX");
    doc.put("specVersion", SPEC_VERSION);
    doc.put("serialNumber", "urn:uuid:" + serial(Json.writePretty(body)));
    doc.put("version", 1);
    doc.putAll(body);
    return Json.writePretty(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> component(Sbom.Item i, String ref) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("type", i.purl().startsWith("pkg:generic/") ? "application" : "library");
    c.put("bom-ref", ref);
    if (i.supplier().startsWith("Organization: ")) {
      c.put("supplier", object("name", i.supplier().substring("Organization: ".length())));
    }
    if (i.architecture() == null && i.source() != null && i.source().contains(":")) {
      c.put("group", i.source().substring(0, i.source().indexOf(':')));
    }
    c.put("name", i.name());
    c.put("version", i.version());
    if (i.sha256() != null) {
      c.put("hashes", List.of(object("alg", "SHA-256", "content", i.sha256().hex())));
    }
    if (i.license() != null) {
      c.put("licenses", List.of(object("expression", i.license())));
    }
    c.put("purl", i.purl());
    List<Object> properties = new ArrayList<>();
    if (i.architecture() != null) {
      properties.add(property("plinth:architecture", i.architecture()));
      if (i.source() != null) {
        properties.add(property("plinth:sourcePackage", i.source()));
      }
    }
    if (!properties.isEmpty()) {
      c.put("properties", properties);
    }
    return c;
  }

  private static Map<String, Object> property(String name, String value) {
    return object("name", name, "value", value);
  }

  /** A JSON object of {@code keysAndValues}, in that order (the bytes must not vary). */
  private static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> o = new LinkedHashMap<>();
    for (int k = 0; k < keysAndValues.length; k += 2) {
      o.put((String) keysAndValues[k], keysAndValues[k + 1]);
    }
    return o;
  }

  /** A version 5 UUID named by the sha256 of {@code body}: the same content, the same serial. */
  static UUID serial(String body) {
    String name = "urn:plinth:cyclonedx:"
        + Digest.of(body.getBytes(StandardCharsets.UTF_8)).hex();
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      ByteBuffer ns = ByteBuffer.allocate(16);
      ns.putLong(URL_NAMESPACE.getMostSignificantBits());
      ns.putLong(URL_NAMESPACE.getLeastSignificantBits());
      sha1.update(ns.array());
      byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
      return new UUID(b.getLong(), b.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1 in this JDK", e);
    }
  }
}
