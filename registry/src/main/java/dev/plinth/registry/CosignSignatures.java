package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.Version;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Image signatures as cosign stores them, which containers/image (podman, skopeo, CRI-O) reads
 * with {@code use-sigstore-attachments: true}: for a manifest {@code sha256:HEX}, an OCI manifest
 * tagged {@code sha256-HEX.sig} in the same repository, one layer per signature. A layer is the
 * "simple signing" payload ({@code critical.identity.docker-reference},
 * {@code critical.image.docker-manifest-digest}, {@code critical.type}), its annotation {@code
 * dev.cosignproject.cosign/signature} the base64 signature of those bytes. Signing adds a layer
 * to what is there (as cosign and containers/image do); verifying needs one good signature.
 *
 * <p>Keyless signing (a Fulcio certificate, a Rekor entry) would add the annotations {@code
 * dev.sigstore.cosign/certificate}, {@code …/chain} and {@code …/bundle} to the same layer; the
 * storage is the same.
 */
public final class CosignSignatures {
  public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String SIGNATURE = "dev.cosignproject.cosign/signature";
  static final String TYPE = "cosign container image signature";
  private static final int MAX_PAYLOAD = 64 * 1024;

  /** The tag cosign stores the signatures of {@code manifest} under. */
  public static String tag(Digest manifest) {
    return "sha256-" + manifest.hex() + ".sig";
  }

  /** What was signed: a manifest and the tag its signatures were written to. */
  public record Signed(Digest manifest, String tag) {}

  /**
   * Signs the manifest {@code top} in {@code ref}'s repository, and each manifest it lists when
   * it is an index, with {@code key}; the identity is {@code ref} without its digest.
   */
  public static List<Signed> sign(RegistryRef ref, Digest top, PrivateKey key,
      RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient client = RegistryClient.forPush(ref, options)) {
      String repo = ref.repository();
      String identity = identity(ref);
      List<Signed> out = new ArrayList<>();
      for (Digest d : manifests(client, repo, top)) {
        byte[] payload = payload(identity, d);
        String sig = Base64.getEncoder().encodeToString(signBytes(key, payload));
        String tag = tag(d);
        addLayer(client, repo, tag, Blob.of(SIMPLE_SIGNING, payload), Map.of(SIGNATURE, sig));
        out.add(new Signed(d, tag));
      }
      return out;
    }
  }

  /** The outcome for one manifest: its good signatures' identities and why others failed. */
  public record Check(Digest manifest, List<String> identities, List<String> problems) {
    public boolean verified() {
      return !identities.isEmpty();
    }
  }

  /**
   * Checks the signatures of what {@code ref} names, and of each manifest of an index, against
   * {@code key}. Verified means the top manifest has a good signature whose digest is its own
   * and whose identity is in {@code ref}'s repository.
   *
   * @return the top manifest's check first, then one per manifest of an index
   */
  public static List<Check> verify(RegistryRef ref, PublicKey key, RegistryOptions options)
      throws IOException, PlinthException {
    return verify(ref, key, null, options);
  }

  /**
   * As {@link #verify(RegistryRef, PublicKey, RegistryOptions)}, with the identity the
   * signatures must name in the repository of {@code signedAs} (HOST/REPO) instead of {@code
   * ref}'s own: a copy in a mirror keeps the signatures made where it was pushed first, as
   * containers/image's {@code remapIdentity} allows; null for {@code ref}'s repository.
   */
  public static List<Check> verify(RegistryRef ref, PublicKey key, RegistryRef signedAs,
      RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient client = RegistryClient.forPull(ref, options)) {
      String repo = ref.repository();
      RegistryClient.Manifest m = client.manifest(repo, ref.reference(), ref.digest());
      List<Check> out = new ArrayList<>();
      for (Digest d : manifests(client, repo, m.digest())) {
        out.add(check(client, ref, signedAs == null ? ref : signedAs, d, key));
      }
      return out;
    }
  }

  private static Check check(RegistryClient client, RegistryRef ref, RegistryRef signedAs,
      Digest d, PublicKey key) throws IOException, PlinthException {
    String repo = ref.repository();
    List<String> good = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (client.manifestDigest(repo, tag(d)).isEmpty()) {
      problems.add("no signature (" + ref.host() + "/" + repo + ":" + tag(d) + " does not exist)");
      return new Check(d, good, problems);
    }
    JsonNode sigs = Json.read(client.manifest(repo, tag(d), null).bytes(), tag(d));
    for (JsonNode layer : sigs.path("layers")) {
      if (!SIMPLE_SIGNING.equals(layer.path("mediaType").asText())) {
        continue;
      }
      String what = "signature " + layer.path("digest").asText() + " in " + tag(d);
      try {
        Descriptor ld = new Descriptor(SIMPLE_SIGNING, Digest.parse(layer.path("digest").asText()),
            layer.path("size").asLong());
        if (ld.size() > MAX_PAYLOAD) {
          throw new PlinthException(Kind.BAD_INPUT, "payload over " + MAX_PAYLOAD + " bytes");
        }
        byte[] payload;
        try (InputStream in = dev.plinth.oci.Blobs.verifying(ld, client.openBlob(repo, ld))) {
          payload = in.readAllBytes();
        }
        byte[] sig = Base64.getDecoder().decode(layer.path("annotations").path(SIGNATURE)
            .asText());
        if (!verifyBytes(key, payload, sig)) {
          problems.add(what + ": the signature does not match the key");
          continue;
        }
        String identity = checkPayload(payload, d, signedAs);
        good.add(identity);
      } catch (PlinthException | IllegalArgumentException e) {
        problems.add(what + ": " + e.getMessage());
      }
    }
    if (good.isEmpty() && problems.isEmpty()) {
      problems.add(tag(d) + " holds no cosign signature layer");
    }
    return new Check(d, good, problems);
  }

  /** Checks a verified payload names {@code d} and {@code ref}'s repository; its identity. */
  static String checkPayload(byte[] payload, Digest d, RegistryRef ref) throws PlinthException {
    JsonNode p = Json.read(payload, "payload");
    JsonNode critical = p.path("critical");
    if (!TYPE.equals(critical.path("type").asText())) {
      throw new PlinthException(Kind.BAD_INPUT, "critical.type is '"
          + critical.path("type").asText() + "', not '" + TYPE + "'");
    }
    String signed = critical.path("image").path("docker-manifest-digest").asText();
    if (!signed.equals(d.toString())) {
      throw new PlinthException(Kind.BAD_INPUT, "signs " + signed + ", not " + d);
    }
    String identity = critical.path("identity").path("docker-reference").asText();
    RegistryRef named = RegistryRef.parse(identity);
    if (!named.host().equals(ref.host()) || !named.repository().equals(ref.repository())) {
      throw new PlinthException(Kind.BAD_INPUT, "signs the identity '" + identity
          + "', not an image of " + ref.host() + "/" + ref.repository());
    }
    return identity;
  }

  /** The simple-signing payload for {@code d} under {@code identity}, as cosign writes it. */
  static byte[] payload(String identity, Digest d) {
    Map<String, Object> critical = new LinkedHashMap<>();
    critical.put("identity", Map.of("docker-reference", identity));
    critical.put("image", Map.of("docker-manifest-digest", d.toString()));
    critical.put("type", TYPE);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("critical", critical);
    p.put("optional", Map.of("creator", "plinth " + Version.PLINTH));
    return Json.write(p);
  }

  /** {@code ref} as a signature names it: host/repository[:tag], no digest. */
  static String identity(RegistryRef ref) {
    return ref.host() + "/" + ref.repository() + (ref.tag() != null ? ":" + ref.tag() : "");
  }

  /** The manifest {@code top}, then each manifest an index lists. */
  private static List<Digest> manifests(RegistryClient client, String repo, Digest top)
      throws IOException, PlinthException {
    List<Digest> out = new ArrayList<>(List.of(top));
    RegistryClient.Manifest m = client.manifest(repo, top.toString(), top);
    if (MediaTypes.isIndex(m.mediaType())) {
      for (JsonNode c : Json.read(m.bytes(), top.toString()).path("manifests")) {
        String type = c.path("mediaType").asText();
        if (MediaTypes.isManifest(type) || MediaTypes.isIndex(type)) {
          Digest d = Digest.parse(c.path("digest").asText());
          if (!out.contains(d)) {
            out.add(d);
          }
        }
      }
    }
    return out;
  }

  /**
   * Adds a signature layer to the manifest at {@code tag} (made when absent), keeping the
   * signatures it has; its config lists the layers' digests as containers/image writes it.
   */
  private static void addLayer(RegistryClient client, String repo, String tag, Blob payload,
      Map<String, String> annotations) throws IOException, PlinthException {
    List<Object> layers = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    Optional<Digest> there = client.manifestDigest(repo, tag);
    if (there.isPresent()) {
      JsonNode old = Json.read(client.manifest(repo, tag, there.get()).bytes(), tag);
      for (JsonNode l : old.path("layers")) {
        layers.add(l);
        diffIds.add(l.path("digest").asText());
      }
    }
    Descriptor d = payload.descriptor().withAnnotations(annotations);
    layers.add(d.toJson());
    diffIds.add(d.digest().toString());
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("type", "layers");
    rootfs.put("diff_ids", diffIds);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "");
    config.put("os", "");
    config.put("config", Map.of());
    config.put("rootfs", rootfs);
    Blob configBlob = Blob.of(MediaTypes.OCI_CONFIG, Json.write(config));
    client.pushBlob(repo, payload, null);
    client.pushBlob(repo, configBlob, null);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.put("config", configBlob.descriptor().toJson());
    manifest.put("layers", layers);
    client.putManifest(repo, tag, MediaTypes.OCI_MANIFEST, Json.write(manifest));
  }

  static byte[] signBytes(PrivateKey key, byte[] payload) {
    try {
      Signature s = Signature.getInstance(CosignKeys.algorithm(key));
      s.initSign(key);
      s.update(payload);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
    }
  }

  static boolean verifyBytes(PublicKey key, byte[] payload, byte[] sig) {
    try {
      Signature s = Signature.getInstance(CosignKeys.algorithm(key));
      s.initVerify(key);
      s.update(payload);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature (bad DER) is no signature
    }
  }

  private CosignSignatures() {}
}
