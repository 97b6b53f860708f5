package dev.plinth.registry;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Blobs;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.LayoutReferrers;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signed in-toto attestations as OCI 1.1 referrers, the way cosign attaches them: an image
 * manifest with {@code artifactType} {@code application/vnd.in-toto+json}, the annotation {@code
 * in-toto.io/predicate-type}, the empty config {@code {}}, one layer holding the DSSE envelope
 * ({@code application/vnd.dsse.envelope.v1+json}) and the {@code subject} the statement is about.
 */
public final class Attestations {
  /** The largest envelope plinth reads: a bound on a hostile layer. */
  static final int MAX_ENVELOPE = 1 << 20;
  /** What {@link Found#kind} says of cosign's signatures. */
  public static final String SIGNATURE = "cosign signature";
  /** The empty config of an artifact: the two bytes {@code {}}. */
  public static final Blob EMPTY = Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes());

  /**
   * A statement about a manifest.
   *
   * @param subject the manifest (an image's or an index) the statement is about
   */
  public record Attestation(Descriptor subject, Statement statement) {}

  /** The artifact manifest that carries {@code envelope} as a referrer of {@code subject}. */
  public static Manifest artifact(Blob envelope, String predicateType, Descriptor subject)
      throws IOException {
    Descriptor s = new Descriptor(subject.mediaType(), subject.digest(), subject.size());
    return new Manifest(MediaTypes.OCI_MANIFEST, Dsse.IN_TOTO, EMPTY.descriptor(),
        List.of(envelope.descriptor()), s, Map.of(Statement.PREDICATE_ANNOTATION, predicateType));
  }

  /** The envelope of {@code a}'s statement signed with {@code key}, as a blob. */
  public static Blob envelope(Attestation a, PrivateKey key) {
    return Blob.of(Dsse.MEDIA_TYPE, Dsse.sign(Dsse.IN_TOTO, a.statement().toJson(), key)
        .toJson());
  }

  /** Signs each attestation with {@code key} and pushes it to {@code ref}'s repository. */
  public static List<Referrers.Pushed> push(RegistryRef ref, List<Attestation> attestations,
      PrivateKey key, RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient client = RegistryClient.forPush(ref, options)) {
      List<Referrers.Pushed> out = new ArrayList<>();
      for (Attestation a : attestations) {
        Blob env = envelope(a, key);
        Manifest m = artifact(env, a.statement().predicateType(), a.subject());
        out.add(Referrers.push(client, ref.repository(), m, List.of(EMPTY, env)));
      }
      return out;
    }
  }

  /**
   * An artifact about a manifest, as inspect and verify list it.
   *
   * @param subject the manifest it refers to
   * @param manifest its own manifest's digest
   * @param kind its predicate type (an attestation), else its artifact type
   * @param signed whether it carries a signature (an envelope with one); false for others
   * @param verified with a key: whether a signature verifies and the statement is about the
   *     subject; null when not checked
   * @param problem why it is not verified; null when it is or was not checked
   */
  public record Found(Digest subject, Digest manifest, String kind, boolean signed,
      Boolean verified, String problem) {}

  /**
   * The referrers of each of {@code subjects} in {@code ref}'s repository; with {@code key}, each
   * in-toto attestation checked (its envelope's signature over the PAE, the statement's type,
   * subject and predicate type). A referrer that cannot be read is listed with its problem.
   *
   * @param key null: list only
   * @param signatures whether to list cosign's signatures ({@code sha256-HEX.sig}) too, as
   *     {@link #SIGNATURE}
   */
  public static List<Found> find(RegistryRef ref, List<Digest> subjects, PublicKey key,
      boolean signatures, RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient client = RegistryClient.forPull(ref, options)) {
      List<Found> out = new ArrayList<>();
      for (Digest s : subjects) {
        if (signatures) {
          Optional<Digest> sig = client.manifestDigest(ref.repository(), CosignSignatures.tag(s));
          if (sig.isPresent()) {
            out.add(new Found(s, sig.get(), SIGNATURE, true, null, null));
          }
        }
        for (Descriptor r : Referrers.list(client, ref.repository(), s)) {
          out.add(found(s, r, key, client.host + "/" + ref.repository(),
              d -> client.manifest(ref.repository(), d.toString(), d).bytes(),
              d -> client.openBlob(ref.repository(), d)));
        }
      }
      return out;
    }
  }

  /**
   * The referrers of each of {@code subjects} in the OCI layout {@code dir} ({@link
   * LayoutReferrers}), checked with {@code key} as {@link #find} does; with cosign's signatures
   * stored under their {@code sha256-HEX.sig} tags.
   */
  public static List<Found> findInLayout(Path dir, List<Digest> subjects, PublicKey key)
      throws IOException, PlinthException {
    List<Found> out = new ArrayList<>();
    for (Digest s : subjects) {
      Optional<LayoutReferrers.Entry> sig = LayoutReferrers.tagged(dir, CosignSignatures.tag(s));
      if (sig.isPresent()) {
        out.add(new Found(s, sig.get().descriptor().digest(), SIGNATURE, true, null, null));
      }
      for (LayoutReferrers.Entry e : LayoutReferrers.referrers(dir, s)) {
        out.add(found(s, e.descriptor(), key, dir.toString(), d -> e.bytes(),
            d -> LayoutReferrers.blob(dir, d).open()));
      }
    }
    return out;
  }

  /** Reads what a referrer's manifest names, from a registry or a layout. */
  @FunctionalInterface
  private interface Reader<K, T> {
    T read(K what) throws IOException, PlinthException;
  }

  private static Found found(Digest subject, Descriptor r, PublicKey key, String where,
      Reader<Digest, byte[]> manifests, Reader<Descriptor, InputStream> blobs) throws IOException, PlinthException {
    String predicate = r.annotations().get(Statement.PREDICATE_ANNOTATION);
    String kind = predicate != null ? predicate
        : r.artifactType() != null ? r.artifactType() : r.mediaType();
    if (!Dsse.IN_TOTO.equals(r.artifactType())) {
      return new Found(subject, r.digest(), kind, false, null, null);
    }
    String what = "attestation " + r.digest() + " (" + kind + ")";
    Dsse env;
    try {
      Manifest m = Manifest.parse(manifests.read(r.digest()), where + "@" + r.digest());
      Descriptor layer = m.layers().stream().filter(l -> Dsse.MEDIA_TYPE.equals(l.mediaType()))
          .findFirst().orElseThrow(() -> new PlinthException(Kind.BAD_INPUT, what
              + " has no " + Dsse.MEDIA_TYPE + " layer"));
      if (layer.size() > MAX_ENVELOPE) {
        throw new PlinthException(Kind.BAD_INPUT, what + ": its envelope is " + layer.size()
            + " bytes, over plinth's bound of " + MAX_ENVELOPE);
      }
      byte[] bytes;
      try (InputStream in = Blobs.verifying(layer, blobs.read(layer))) {
        bytes = in.readAllBytes();
      }
      env = Dsse.parse(bytes, what);
    } catch (PlinthException e) {
      return new Found(subject, r.digest(), kind, false, key == null ? null : false,
          e.getMessage());
    }
    boolean signed = !env.signatures().isEmpty();
    if (key == null) {
      return new Found(subject, r.digest(), kind, signed, null, null);
    }
    String problem = check(env, subject, predicate, key);
    return new Found(subject, r.digest(), kind, signed, problem == null,
        problem == null ? null : what + ": " + problem);
  }

  /**
   * Why an envelope does not verify as an attestation of {@code subject} with {@code key}; null
   * when it does.
   *
   * @param predicateType the type its manifest's annotation states, or null
   */
  public static String check(Dsse env, Digest subject, String predicateType, PublicKey key) {
    if (!Dsse.IN_TOTO.equals(env.payloadType())) {
      return "the envelope's payloadType is '" + env.payloadType() + "', not " + Dsse.IN_TOTO;
    }
    if (!env.verifies(key)) {
      return env.signatures().isEmpty() ? "the envelope is not signed"
          : "the signature does not match the key";
    }
    try {
      Statement st = Statement.parse(env.payload(), "the statement");
      if (!st.about(subject)) {
        return "the statement is about " + st.subjects().get(0).digest() + ", not " + subject;
      }
      if (predicateType != null && !predicateType.equals(st.predicateType())) {
        return "the statement's predicateType is " + st.predicateType() + ", the manifest says "
            + predicateType;
      }
      return null;
    } catch (PlinthException e) {
      return e.getMessage();
    }
  }

  private Attestations() {}
}
