package dev.plinth.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.LayoutReferrers;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Version;
import dev.plinth.registry.Attestations.Attestation;
import dev.plinth.registry.Referrers;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.RegistryRef;
import dev.plinth.registry.Statement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a build attests about each platform's image, as in-toto statements: its SPDX SBOM
 * (predicateType {@code https://spdx.dev/Document}) and a SLSA provenance v1 (what was built,
 * from which build file and lock, by which plinth, from which inputs). Both are reproducible: no
 * clock, no host path, no host name; the same inputs make the same statements.
 */
public final class Attestations {
  /** The SLSA buildType of a plinth build. */
  public static final String BUILD_TYPE = "urn:plinth:buildtype:image:v1";
  /** The SLSA builder id: plinth, its version in {@code builder.version}. */
  public static final String BUILDER_ID = "urn:plinth:builder";

  /** What {@code --attest} can name. */
  public enum Kind {
    SBOM("sbom", Statement.SPDX),
    PROVENANCE("provenance", Statement.SLSA_PROVENANCE);

    public final String flag;
    public final String predicateType;

    Kind(String flag, String predicateType) {
      this.flag = flag;
      this.predicateType = predicateType;
    }
  }

  /**
   * The kinds a front end's attest setting asks for, checked as both front ends check it: the
   * list parsed ({@link #parse}), a signing key given (plinth signs every attestation it makes),
   * and a target that is a registry or a file; each failure a usage error in the front end's
   * words.
   *
   * @param listName the setting as {@link #parse} names it ("--attest", "attest (plinth.attest)")
   * @param name the setting as the other errors name it ("--attest", "attest")
   * @param keyName what gives the key ("--sign-key FILE", "signKey (plinth.signKey)")
   */
  public static Set<Kind> requested(String list, String listName, String name, boolean signing,
      String keyName, ImageRef target) throws PlinthException {
    Set<Kind> kinds = parse(list, listName);
    if (!signing) {
      throw new PlinthException(PlinthException.Kind.USAGE, name + " needs " + keyName
          + ": plinth signs every attestation it makes (make a key with 'plinth key generate')");
    }
    if (!ImageRef.REGISTRY.equals(target.transport()) && target.path() == null) {
      throw new PlinthException(PlinthException.Kind.USAGE, name + ": " + target + " is neither"
          + " a registry nor a file; attestations are pushed to a registry or written next to"
          + " a file output");
    }
    return kinds;
  }

  /**
   * The kinds a comma-separated list names (sbom, provenance); an unknown one is a usage error
   * naming the allowed ones.
   */
  public static Set<Kind> parse(String list, String option) throws PlinthException {
    Set<Kind> out = EnumSet.noneOf(Kind.class);
    for (String part : list.split(",", -1)) {
      Kind k = null;
      for (Kind c : Kind.values()) {
        if (c.flag.equals(part.trim())) {
          k = c;
        }
      }
      if (k == null) {
        throw new PlinthException(PlinthException.Kind.USAGE, option + ": '" + part
            + "' is not an attestation plinth makes; give sbom, provenance or sbom,provenance");
      }
      out.add(k);
    }
    return out;
  }

  /** The images a platform was built from, as written, with their manifest digests. */
  static Map<String, Digest> inputs(BuildSpec spec, Image from,
      List<Map<Platform, Image>> copyFrom, Platform platform) throws IOException {
    Map<String, Digest> out = new TreeMap<>();
    if (from != null) {
      out.put(spec.from().image().toString(), from.manifest().descriptor().digest());
    }
    for (int i = 0; i < copyFrom.size(); i++) {
      Image c = copyFrom.get(i).get(platform);
      out.put(spec.copyFrom().get(i).image().toString(), c.manifest().descriptor().digest());
    }
    return out;
  }

  /**
   * The statements about a build's images: per platform, its SBOM (when it has packages) and its
   * provenance, each about the platform's manifest (the provenance about the index too).
   *
   * @param buildFile the plinth.yaml or pom.xml built, or null; it and plinth.lock beside it
   *     are named relative to its directory
   * @param lockFile the lock file used, or null
   */
  public static List<Attestation> statements(BuildResult result, Set<Kind> kinds,
      Path buildFile, Path lockFile, long epochSeconds) throws IOException, PlinthException {
    List<Attestation> out = new ArrayList<>();
    Path context = buildFile == null ? null : buildFile.toAbsolutePath().getParent();
    for (BuildResult.PlatformImage p : result.images()) {
      List<Statement.Subject> subjects = new ArrayList<>(List.of(
          new Statement.Subject(p.platform().toString(), p.manifest())));
      if (kinds.contains(Kind.SBOM) && p.sbom() != null) {
        out.add(new Attestation(p.descriptor(), new Statement(subjects, Statement.SPDX,
            Json.read(p.sbom(), "the SBOM of " + p.platform()))));
      }
      if (kinds.contains(Kind.PROVENANCE)) {
        if (!result.top().digest().equals(p.manifest())) {
          subjects.add(new Statement.Subject("index", result.top().digest()));
        }
        out.add(new Attestation(p.descriptor(), new Statement(subjects,
            Statement.SLSA_PROVENANCE, Json.read(Json.write(provenance(p, context, buildFile,
                lockFile, epochSeconds)), "provenance"))));
      }
    }
    return out;
  }

  /** The SLSA provenance v1 predicate of one platform's image. */
  static Map<String, Object> provenance(BuildResult.PlatformImage p, Path context,
      Path buildFile, Path lockFile, long epochSeconds) throws IOException, PlinthException {
    Map<String, Object> external = new LinkedHashMap<>();
    List<Object> deps = new ArrayList<>();
    if (buildFile != null) {
      String name = context.relativize(buildFile.toAbsolutePath()).toString();
      external.put("buildFile", name);
      deps.add(dependency(name, "file:" + name, Digest.of(Files.readAllBytes(buildFile))));
    }
    if (lockFile != null && Files.isRegularFile(lockFile)) {
      String name = context == null ? lockFile.getFileName().toString()
          : context.relativize(lockFile.toAbsolutePath()).toString();
      external.put("lockFile", name);
      deps.add(dependency(name, "file:" + name, Digest.of(Files.readAllBytes(lockFile))));
    }
    external.put("platform", p.platform().toString());
    for (Map.Entry<String, Digest> e : p.inputs().entrySet()) {
      deps.add(dependency(e.getKey(), e.getKey(), e.getValue()));
    }
    if (p.sbom() != null) {
      // the packages inside: Debian's .debs (their sha256 from the lock), the Java runtime's
      // source, the app's jars, plinth's init, as the SBOM names them
      for (JsonNode pkg : Json.read(p.sbom(), "the SBOM of " + p.platform()).path("packages")) {
        String purl = null;
        for (JsonNode ref : pkg.path("externalRefs")) {
          if ("purl".equals(ref.path("referenceType").asText())) {
            purl = ref.path("referenceLocator").asText();
          }
        }
        String sha = null;
        for (JsonNode c : pkg.path("checksums")) {
          if ("SHA256".equals(c.path("algorithm").asText())) {
            sha = c.path("checksumValue").asText();
          }
        }
        if (purl != null && sha != null) {
          deps.add(dependency(pkg.path("name").asText(), purl, Digest.parse("sha256:" + sha)));
        }
      }
    }
    Map<String, Object> definition = new LinkedHashMap<>();
    definition.put("buildType", BUILD_TYPE);
    definition.put("externalParameters", external);
    definition.put("internalParameters", Map.of("SOURCE_DATE_EPOCH", epochSeconds));
    definition.put("resolvedDependencies", deps);
    Map<String, Object> builder = new LinkedHashMap<>();
    builder.put("id", BUILDER_ID);
    builder.put("version", Map.of("plinth", Version.PLINTH));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("buildDefinition", definition);
    m.put("runDetails", Map.of("builder", builder));
    return m;
  }

  private static Map<String, Object> dependency(String name, String uri, Digest d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("uri", uri);
    m.put("digest", Map.of("sha256", d.hex()));
    return m;
  }

  /**
   * Writes each kind's envelopes next to a file output, one line per platform: {@code
   * FILE.sbom.intoto.jsonl}, {@code FILE.provenance.intoto.jsonl}, atomically; for an OCI layout
   * ({@code oci:DIR}) also inside it, as referrers of the platforms' manifests (the same
   * envelopes).
   *
   * @return the files written
   */
  public static List<Path> writeNextTo(ImageRef target, List<Attestation> attestations,
      PrivateKey key) throws IOException, PlinthException {
    List<Path> out = new ArrayList<>();
    if (target.path() == null) {
      return out;
    }
    List<Blob> envelopes = new ArrayList<>();
    for (Attestation a : attestations) {
      envelopes.add(dev.plinth.registry.Attestations.envelope(a, key));
    }
    for (Kind k : Kind.values()) {
      ByteArrayOutputStream lines = new ByteArrayOutputStream();
      for (int i = 0; i < attestations.size(); i++) {
        if (attestations.get(i).statement().predicateType().equals(k.predicateType)) {
          lines.writeBytes(envelopes.get(i).readAllBytes());
          lines.write('\n');
        }
      }
      if (lines.size() > 0) {
        Path file = target.path().resolveSibling(target.path().getFileName() + "." + k.flag
            + ".intoto.jsonl");
        AtomicFile.write(file, lines.toByteArray());
        out.add(file);
      }
    }
    if (ImageRef.OCI.equals(target.transport())) {
      for (int i = 0; i < attestations.size(); i++) {
        Attestation a = attestations.get(i);
        Manifest m = dev.plinth.registry.Attestations.artifact(envelopes.get(i),
            a.statement().predicateType(), a.subject());
        LayoutReferrers.add(target.path(), m.bytes(), Referrers.entry(m, m.blob().descriptor()),
            List.of(dev.plinth.registry.Attestations.EMPTY, envelopes.get(i)), null);
      }
    }
    return out;
  }

  /**
   * Carries what refers to a copied image: the referrers (attestations, SBOMs) and cosign
   * signatures of its top manifest and of each platform's manifest, from a registry to a
   * registry or an OCI layout ({@code oci:DIR}), and from an OCI layout to a registry.
   *
   * @return the manifests carried
   */
  public static List<Digest> carry(Plinth.CopyResult copied, RegistryOptions options)
      throws IOException, PlinthException {
    ImageRef from = copied.source();
    ImageRef to = copied.target();
    List<Digest> subjects = new ArrayList<>(List.of(copied.top().digest()));
    for (Image i : copied.images()) {
      subjects.add(i.manifest().descriptor().digest());
    }
    subjects = subjects.stream().distinct().toList();
    boolean fromRegistry = ImageRef.REGISTRY.equals(from.transport());
    if (fromRegistry && ImageRef.REGISTRY.equals(to.transport())) {
      return Referrers.copy(RegistryRef.parse(from.name()), RegistryRef.parse(to.name()),
          subjects, options);
    }
    if (fromRegistry && ImageRef.OCI.equals(to.transport())) {
      return Referrers.copyToLayout(RegistryRef.parse(from.name()), to.path(), subjects,
          options);
    }
    if (ImageRef.OCI.equals(from.transport()) && ImageRef.REGISTRY.equals(to.transport())) {
      return Referrers.copyFromLayout(from.path(), RegistryRef.parse(to.name()), subjects,
          options);
    }
    return List.of();
  }

  /**
   * Makes, signs and stores the attestations of {@code result} (nothing for no kinds): pushed as
   * referrers of each platform's manifest to a registry target, else written next to the file
   * output; returns a line for each, and one with the time it took. What the CLI's and the
   * Maven plugin's {@code attest} do.
   */
  public static List<String> attach(Set<Kind> kinds, PrivateKey key, BuildResult result,
      Path buildFile, Path lockFile, long epochSeconds, RegistryOptions options)
      throws IOException, PlinthException {
    if (kinds.isEmpty()) {
      return List.of();
    }
    long start = System.nanoTime();
    List<Attestation> list = statements(result, kinds, buildFile, lockFile, epochSeconds);
    ImageRef target = result.target();
    List<String> lines = new ArrayList<>();
    if (ImageRef.REGISTRY.equals(target.transport())) {
      List<Referrers.Pushed> pushed = dev.plinth.registry.Attestations.push(
          RegistryRef.parse(target.name()), list, key, options);
      for (int i = 0; i < list.size(); i++) {
        Referrers.Pushed p = pushed.get(i);
        lines.add("attested " + list.get(i).subject().digest() + " "
            + list.get(i).statement().predicateType() + " (" + p.manifest().digest()
            + (p.tagSchema() ? ", listed in " + Referrers.tag(list.get(i).subject().digest())
                : ", indexed by the registry") + ")");
      }
    } else {
      for (Path f : writeNextTo(target, list, key)) {
        lines.add("wrote attestations " + f);
      }
    }
    lines.add("attesting took " + (System.nanoTime() - start) / 1_000_000 + " ms");
    return lines;
  }

  private Attestations() {}
}
