package dev.plinth.builder;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SPDX 2.3 JSON document per platform: every Debian package (name, version, architecture,
 * purl, the sha256 of its .deb) and plinth's own init, as scanners read it.
 */
final class Sbom {
  /** A package in the image. */
  record Item(String name, String version, String architecture, String source, Digest sha256,
      String purl, String supplier) {}

  static Item debian(String name, String version, String arch, String source, Digest debSha256,
      String distro) {
    String purl = "pkg:deb/debian/" + enc(name) + "@" + enc(version) + "?arch=" + enc(arch)
        + (distro == null ? "" : "&distro=" + enc(distro));
    return new Item(name, version, arch, source, debSha256, purl, "Organization: Debian");
  }

  static Item plinthInit(Platform p, Digest sha256) {
    return new Item("plinth-init", Plinth.VERSION, p.architecture(), "plinth", sha256,
        "pkg:generic/plinth-init@" + Plinth.VERSION + "?arch=" + p.architecture(),
        "Organization: plinth");
  }

  static byte[] document(String imageName, Platform platform, Digest manifest, String created,
      List<Item> items) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("spdxVersion", "SPDX-2.3");
    doc.put("dataLicense", "CC0-1.0");
    doc.put("SPDXID", "SPDXRef-DOCUMENT");
    doc.put("name", (imageName == null ? "image" : imageName) + " " + platform);
    doc.put("documentNamespace", "urn:plinth:spdx:" + manifest);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("created", created);
    info.put("creators", List.of("Tool: plinth-" + Plinth.VERSION));
    doc.put("creationInfo", info);
    List<Object> packages = new ArrayList<>();
    List<Object> relationships = new ArrayList<>();
    for (Item i : items) {
      String id = "SPDXRef-Package-" + i.name().replaceAll("[^A-Za-z0-9.-]", "-") + "-"
          + i.architecture();
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("SPDXID", id);
      p.put("name", i.name());
      p.put("versionInfo", i.version());
      p.put("supplier", i.supplier());
      p.put("downloadLocation", "NOASSERTION");
      p.put("filesAnalyzed", false);
      p.put("sourceInfo", "built from source package " + i.source());
      Map<String, Object> checksum = new LinkedHashMap<>();
      checksum.put("algorithm", "SHA256");
      checksum.put("checksumValue", i.sha256().hex());
      p.put("checksums", List.of(checksum));
      Map<String, Object> ref = new LinkedHashMap<>();
      ref.put("referenceCategory", "PACKAGE-MANAGER");
      ref.put("referenceType", "purl");
      ref.put("referenceLocator", i.purl());
      p.put("externalRefs", List.of(ref));
      packages.add(p);
      Map<String, Object> rel = new LinkedHashMap<>();
      rel.put("spdxElementId", "SPDXRef-DOCUMENT");
      rel.put("relationshipType", "DESCRIBES");
      rel.put("relatedSpdxElement", id);
      relationships.add(rel);
    }
    doc.put("packages", packages);
    doc.put("relationships", relationships);
    return Json.writePretty(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private Sbom() {}
}
