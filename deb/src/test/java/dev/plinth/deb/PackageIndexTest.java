package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An index keeps paragraphs packed: what it gives back must be what the paragraphs said. */
class PackageIndexTest {
  private static String paragraph(String name, String version, String depends, String provides) {
    String hex = String.format("%064x", (long) (name + version).hashCode() & 0xffffffffL);
    return "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
        + "Maintainer: someone <a@b.c>\n"
        + (depends == null ? "" : "Depends: " + depends + "\n")
        + (provides == null ? "" : "Provides: " + provides + "\n")
        + "Filename: pool/main/" + name + "_" + version + "_amd64.deb\nSize: "
        + (name.length() * 1000 + version.length()) + "\nSHA256: " + hex
        + "\nDescription: the package " + name + "\n that does things\n .\n with ünïcödé\n\n";
  }

  private static List<Control.Paragraph> parse(String text) throws Exception {
    return Control.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        "Packages");
  }

  @Test
  void packedParagraphs_readBackAsTheRecordsTheySaid_acrossManyChunks() throws Exception {
    StringBuilder text = new StringBuilder();
    // 6,000 paragraphs of about 700 bytes each: several 1 MiB chunks
    String longDepends = "libc6 (>= 2.36), libstdc++6 (>= 12), zlib1g (>= 1:1.2.0) | libz-ng, "
        + "libgcc-s1 (>= 3.0), libssl3 (>= 3.0.0), libselinux1 (>= 3.1~), libpcre2-8-0";
    for (int i = 0; i < 3000; i++) {
      text.append(paragraph("pkg" + i, "1." + i + "-1", longDepends + ", dep" + (i % 7), null));
      text.append(paragraph("pkg" + i, "1:0." + i, "dep" + (i % 5), "virt" + (i % 3)));
    }
    // one paragraph whose kept value is larger than a chunk
    StringBuilder huge = new StringBuilder("h0");
    for (int i = 1; i < 120_000; i++) {
      huge.append(i % 5000 == 0 ? ",\n h" : ", h").append(i);
    }
    text.append(paragraph("huge", "2.0", huge.toString(), null));
    text.append("package: lower-case\nversion: 3.0\narchitecture: all\nfilename: pool/l.deb\n"
        + "size: 7\nsha256: " + "ab".repeat(32) + "\nsource: lc (3.0-1)\n\n");

    PackageIndex index = new PackageIndex();
    Map<String, List<PackageRecord.Relation>> seen = new HashMap<>();
    Map<String, List<PackageRecord>> expected = new HashMap<>();
    for (Control.Paragraph p : parse(text.toString())) {
      index.add(p, "Packages", seen);
      PackageRecord r = PackageRecord.of(p, "Packages");
      expected.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    }
    assertEquals(3002, index.size());
    // read as Repository reads an index: each paragraph a view of the reader's buffer, which the
    // next paragraph overwrites
    PackageIndex inPlace = new PackageIndex();
    Map<String, List<PackageRecord.Relation>> seen2 = new HashMap<>();
    Control.eachInPlace(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)),
        "Packages", PackageRecord.FIELDS, p -> inPlace.add(p, "Packages", seen2));
    assertEquals(3002, inPlace.size());
    for (Map.Entry<String, List<PackageRecord>> e : expected.entrySet()) {
      List<PackageRecord> want = new ArrayList<>(e.getValue());
      want.sort((a, b) -> b.version().compareTo(a.version()));
      assertEquals(want, index.versions(e.getKey()), e.getKey());
      assertEquals(want, inPlace.versions(e.getKey()), e.getKey());
    }
    assertEquals("1:0.17", index.versions("pkg17").get(0).version().toString());
    assertEquals(120_000, index.versions("huge").get(0).depends().size());
    assertEquals("lc", index.versions("lower-case").get(0).source());
    assertEquals(1000, index.providers("virt1").size());
    assertEquals("pkg1", index.providers("virt1").get(0).name());
    assertTrue(index.versions("absent").isEmpty());
    assertTrue(index.providers("absent").isEmpty());
  }

  @Test
  void aParagraphThatDoesNotRead_failsWhenItsNameIsAskedFor_namingIndexAndPackage()
      throws Exception {
    PackageIndex index = new PackageIndex();
    String what = "dists/x/main/binary-amd64/Packages.gz";
    for (Control.Paragraph p : parse(paragraph("bad", "1.0", "libc6 (>= 2.36", null)
        + paragraph("bad-version", "1.0 beta", null, null)
        + paragraph("good", "1.0", "libc6 (>= 2.36)", null))) {
      index.add(p, what, new HashMap<>());
    }
    assertEquals("1.0", index.versions("good").get(0).version().toString());
    for (String name : List.of("bad", "bad-version")) {
      PlinthException e = assertThrows(PlinthException.class, () -> index.versions(name));
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().contains(what + ": package " + name), e.getMessage());
    }
    // what is read on adding is refused on adding: the name, and what a paragraph provides
    for (String text : List.of("Version: 1\n\n", paragraph("p", "1", null, "virt (= 1"))) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> index.add(parse(text).get(0), what, new HashMap<>()));
      assertTrue(e.getMessage().startsWith(what + ": "), e.getMessage());
    }
    assertEquals(3, index.size());
  }

  @Test
  void pinned_replacesAName_andWhatItProvided_leavingTheIndexAsItWas() throws Exception {
    PackageIndex index = new PackageIndex();
    Map<String, List<PackageRecord.Relation>> seen = new HashMap<>();
    for (Control.Paragraph p : parse(paragraph("mta", "2.0", null, "mail-transport-agent")
        + paragraph("mta", "1.0", null, "mail-transport-agent")
        + paragraph("other", "1.0", null, "mail-transport-agent"))) {
      index.add(p, "Packages", seen);
    }
    PackageRecord old = PackageRecord.of(
        parse(paragraph("mta", "0.9", null, "smtp")).get(0), "plinth.lock");
    PackageIndex pinned = index.pinned(List.of(old));

    assertEquals(List.of(old), pinned.versions("mta"));
    assertEquals(List.of("other"),
        pinned.providers("mail-transport-agent").stream().map(PackageRecord::name).toList());
    assertEquals(List.of(old), pinned.providers("smtp"));
    assertEquals(List.of("2.0", "1.0"),
        index.versions("mta").stream().map(r -> r.version().toString()).toList());
    assertEquals(3, index.providers("mail-transport-agent").size());
    assertTrue(index.providers("smtp").isEmpty());
  }

  /** Package p{@code i}: every seventh provides one of three virtual names. */
  private static String numbered(int i) {
    return paragraph("p" + i, "1." + i, "libc6 (>= 2.36), libz | libz-ng",
        i % 7 == 0 ? "virt" + (i % 3) : null);
  }

  /**
   * Paragraphs kept as places in their file read back as the same records as packed ones, and a
   * file that changed under the index is refused, naming it.
   */
  @Test
  void paragraphsKeptInTheirFile_readAsThePackedOnes_andAChangedFileIsRefused(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    StringBuilder text = new StringBuilder("# the index\n\n");
    List<String> names = new ArrayList<>();
    for (int i = 100; i < 400; i++) {
      names.add("p" + i);
      text.append(numbered(i));
    }
    java.nio.file.Path file = tmp.resolve("Packages");
    java.nio.file.Files.writeString(file, text, StandardCharsets.UTF_8);
    String what = "http://mirror/dists/x/main/binary-amd64/Packages.gz";
    PackageIndex packed = new PackageIndex();
    PackageIndex kept = new PackageIndex();
    Map<String, List<PackageRecord.Relation>> seen = new HashMap<>();
    Map<String, List<PackageRecord.Relation>> seenToo = new HashMap<>();
    try (var in = java.nio.file.Files.newInputStream(file)) {
      Control.eachInPlace(in, what, PackageRecord.FIELDS, p -> {
        packed.add(p, what, seen);
        kept.add(p, what, file, seenToo);
      });
    }
    assertEquals(packed.size(), kept.size());
    for (String name : names) {
      assertEquals(packed.versions(name), kept.versions(name), name);
    }
    for (int v = 0; v < 3; v++) {
      assertEquals(packed.providers("virt" + v), kept.providers("virt" + v));
    }
    // a copy with a pin shares the file
    PackageRecord pin = packed.versions("p105").get(0);
    assertEquals(List.of(pin), kept.pinned(List.of(pin)).versions("p105"));
    // the same paragraphs in another order: a name asked for now finds another package, or
    // the middle of one, where its paragraph was
    PackageIndex before = new PackageIndex();
    try (var in = java.nio.file.Files.newInputStream(file)) {
      Control.eachInPlace(in, what, PackageRecord.FIELDS,
          p -> before.add(p, what, file, new HashMap<>()));
    }
    StringBuilder reversed = new StringBuilder("# the index\n\n");
    for (int i = 399; i >= 100; i--) {
      reversed.append(numbered(i));
    }
    java.nio.file.Files.writeString(file, reversed, StandardCharsets.UTF_8);
    PlinthException e = assertThrows(PlinthException.class, () -> before.versions("p200"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(file + " (the cache's copy of " + what + ") changed"),
        e.getMessage());
    // and one that is gone is an error naming it, not a package that does not exist
    java.nio.file.Files.delete(file);
    PlinthException gone = assertThrows(PlinthException.class, () -> before.versions("p300"));
    assertTrue(gone.getMessage().contains(file.toString()), gone.getMessage());
  }
}
