package dev.plinth.builder;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an image holds ({@link Inventory}, the one model that {@link CycloneDx} writes too) and
 * its SPDX 2.3 JSON document per platform, as scanners read it: a package for the image (the
 * document DESCRIBES it, it CONTAINS the rest), every Debian package (name, version,
 * architecture, purl, the sha256 of its .deb, the license its machine-readable copyright gives),
 * the app's jars as Maven packages, and plinth's own init.
 */
final class Sbom {
  /**
   * A package in the image.
   *
   * @param architecture its architecture, or null (a jar)
   * @param source what it was built from, or null
   * @param sha256 the digest of what it came as (a .deb, a jar), or null (a jar among several
   *     packages in one file)
   * @param license an SPDX license expression, or null for NOASSERTION
   */
  record Item(String name, String version, String architecture, String source, Digest sha256,
      String purl, String supplier, String license) {}

  static Item debian(String name, String version, String arch, String source, Digest debSha256,
      String distro, String license) {
    String purl = "pkg:deb/debian/" + purlPart(name) + "@" + purlPart(version) + "?arch="
        + purlPart(arch) + (distro == null ? "" : "&distro=" + purlPart(distro));
    return new Item(name, version, arch, source, debSha256, purl, "Organization: Debian",
        license);
  }

  static Item plinthInit(Platform p, Digest sha256) {
    return new Item("plinth-init", Plinth.VERSION, p.architecture(), "plinth", sha256,
        "pkg:generic/plinth-init@" + purlPart(Plinth.VERSION) + "?arch=" + p.architecture(),
        "Organization: plinth", "Apache-2.0");
  }

  /** A jar by its Maven coordinates (META-INF/maven/.../pom.properties). */
  static Item maven(String group, String artifact, String version, Digest jarSha256) {
    return new Item(artifact, version, null, group + ":" + artifact, jarSha256,
        "pkg:maven/" + purlPart(group) + "/" + purlPart(artifact) + "@" + purlPart(version),
        "NOASSERTION", null);
  }

  /**
   * A purl component percent-encoded as the purl spec asks: everything but ASCII letters, digits,
   * {@code . - _ ~} and the colon (which must not be encoded: a Debian epoch stays
   * {@code 1:1.3}).
   */
  static String purlPart(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static final Pattern LICENSE_REF = Pattern.compile("LicenseRef-[A-Za-z0-9.-]+");

  /**
   * What an image holds, the one model both SBOM formats are written from.
   *
   * @param imageName the image's title, or null
   * @param manifest the digest of the platform's manifest
   * @param created the ISO-8601 time the documents give (from SOURCE_DATE_EPOCH)
   */
  record Inventory(String imageName, Platform platform, Digest manifest, String created,
      List<Item> items) {
    Inventory {
      items = List.copyOf(items);
    }

    /** The image's name in the documents: its title, else "image". */
    String name() {
      return imageName == null ? "image" : imageName;
    }

    /** The image's own purl: pkg:oci/REPO@MANIFEST?arch=ARCH. */
    String purl() {
      String repo = name().substring(name().lastIndexOf('/') + 1).replaceFirst("[:@].*", "")
          .toLowerCase(java.util.Locale.ROOT);
      return "pkg:oci/" + purlPart(repo.isEmpty() ? "image" : repo) + "@" + manifest
          + "?arch=" + purlPart(platform.architecture());
    }

    /** The document in {@code format}. */
    byte[] write(BuildSpec.SbomFormat format) {
      return switch (format) {
        case SPDX -> spdx(this);
        case CYCLONEDX -> CycloneDx.document(this);
      };
    }
  }

  /** The SPDX 2.3 JSON document of {@code inv}. */
  static byte[] spdx(Inventory inv) {
    String name = inv.name();
    Platform platform = inv.platform();
    Digest manifest = inv.manifest();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("spdxVersion", "SPDX-2.3");
    doc.put("dataLicense", "CC0-1.0");
    doc.put("SPDXID", "SPDXRef-DOCUMENT");
    doc.put("name", name + " " + platform);
    doc.put("documentNamespace", "urn:plinth:spdx:" + manifest);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("created", inv.created());
    info.put("creators", List.of("Tool: plinth-" + Plinth.VERSION));
    doc.put("creationInfo", info);
    List<Object> packages = new ArrayList<>();
    List<Object> relationships = new ArrayList<>();
    Set<String> refs = new TreeSet<>();

    Map<String, Object> image = pkg("SPDXRef-Image", name, manifest.toString(), "NOASSERTION",
        inv.purl(), null);
    image.put("primaryPackagePurpose", "CONTAINER");
    packages.add(image);
    relationships.add(relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));

    Set<String> ids = new HashSet<>();
    for (Item i : inv.items()) {
      String base = "SPDXRef-Package-" + (i.source() != null && i.architecture() == null
          ? i.source() + "-" + i.version() : i.name() + "-" + i.architecture())
          .replaceAll("[^A-Za-z0-9.-]", "-");
      String id = base;
      for (int n = 2; !ids.add(id); n++) {
        id = base + "-" + n;
      }
      Map<String, Object> p = pkg(id, i.name(), i.version(), i.supplier(), i.purl(), i.license());
      if (i.source() != null && i.architecture() != null) {
        p.put("sourceInfo", "built from source package " + i.source());
      }
      if (i.sha256() != null) {
        Map<String, Object> checksum = new LinkedHashMap<>();
        checksum.put("algorithm", "SHA256");
        checksum.put("checksumValue", i.sha256().hex());
        p.put("checksums", List.of(checksum));
      }
      packages.add(p);
      relationships.add(relationship("SPDXRef-Image", "CONTAINS", id));
      if (i.license() != null) {
        Matcher m = LICENSE_REF.matcher(i.license());
        while (m.find()) {
          refs.add(m.group());
        }
      }
    }
    if (!refs.isEmpty()) {
      List<Object> extracted = new ArrayList<>();
      for (String ref : refs) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("licenseId", ref);
        e.put("extractedText", "The license a Debian package's copyright file"
            + " (usr/share/doc/PACKAGE/copyright) names "
            + ref.substring("LicenseRef-".length()) + "; its text is in that file.");
        e.put("name", ref.substring("LicenseRef-".length()));
        extracted.add(e);
      }
      doc.put("hasExtractedLicensingInfos", extracted);
    }
    doc.put("packages", packages);
    doc.put("relationships", relationships);
    return Json.writePretty(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> pkg(String id, String name, String version, String supplier,
      String purl, String license) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("SPDXID", id);
    p.put("name", name);
    p.put("versionInfo", version);
    p.put("supplier", supplier);
    p.put("downloadLocation", "NOASSERTION");
    p.put("filesAnalyzed", false);
    p.put("licenseConcluded", "NOASSERTION");
    p.put("licenseDeclared", license == null ? "NOASSERTION" : license);
    p.put("copyrightText", "NOASSERTION");
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("referenceCategory", "PACKAGE-MANAGER");
    ref.put("referenceType", "purl");
    ref.put("referenceLocator", purl);
    p.put("externalRefs", List.of(ref));
    return p;
  }

  private static Map<String, Object> relationship(String from, String type, String to) {
    Map<String, Object> rel = new LinkedHashMap<>();
    rel.put("spdxElementId", from);
    rel.put("relationshipType", type);
    rel.put("relatedSpdxElement", to);
    return rel;
  }

  private Sbom() {}
}
