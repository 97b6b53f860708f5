package dev.plinth.registry;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Index;
import dev.plinth.oci.LayoutReferrers;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OCI 1.1 referrers: manifests with a {@code subject}, found from the subject. A registry with the
 * referrers API indexes them itself (it answers the manifest's PUT with {@code OCI-Subject} and
 * serves {@code GET /v2/NAME/referrers/DIGEST}); for one without (Debian's docker-registry, any
 * registry before distribution 1.1) the client keeps the list, by the referrers tag schema: an
 * OCI index tagged {@code sha256-HEX} (the subject's digest) listing each referrer's descriptor,
 * read, added to and put back, keeping every entry already there.
 */
public final class Referrers {
  /** The most referrers plinth lists for one subject: a bound on a hostile index. */
  static final int MAX_REFERRERS = 1000;

  /** The tag of the referrers tag schema for {@code subject}. */
  public static String tag(Digest subject) {
    return "sha256-" + subject.hex();
  }

  /**
   * What a push did.
   *
   * @param manifest the referrer's manifest descriptor, as a referrers index lists it
   * @param tagSchema whether the client updated the {@code sha256-HEX} index (the registry has
   *     no referrers API); false when the registry indexed it
   */
  public record Pushed(Descriptor manifest, boolean tagSchema) {}

  /**
   * Pushes {@code artifact} (a manifest with a subject) and its blobs to {@code repo}, by
   * digest, and lists it under its subject: by the registry when it states {@code OCI-Subject},
   * else in the tag schema's index.
   */
  public static Pushed push(RegistryClient client, String repo, Manifest artifact,
      List<Blob> blobs) throws IOException, PlinthException {
    if (artifact.subject() == null) {
      throw new IllegalArgumentException("a referrer needs a subject");
    }
    for (Blob b : blobs) {
      client.pushBlob(repo, b, null);
    }
    Blob m = artifact.blob();
    return put(client, repo, m.readAllBytes(), entry(artifact, m.descriptor()),
        artifact.subject().digest());
  }

  /**
   * PUTs a referrer's manifest {@code bytes} by its digest and, when the registry does not state
   * {@code OCI-Subject}, adds {@code entry} to the subject's tag-schema index.
   */
  static Pushed put(RegistryClient client, String repo, byte[] bytes, Descriptor entry,
      Digest subject) throws IOException, PlinthException {
    boolean indexed = client.putManifest(repo, entry.digest().toString(), entry.mediaType(),
        bytes);
    if (!indexed) {
      addToTag(client, repo, subject, entry);
    }
    return new Pushed(entry, !indexed);
  }

  /** The descriptor a referrers index lists for {@code artifact}: its artifact type, annotations. */
  public static Descriptor entry(Manifest artifact, Descriptor manifest) {
    return new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size(), null,
        artifact.annotations(), artifact.kind(), List.of(), null);
  }

  /**
   * Adds {@code entry} to the index tagged {@code sha256-HEX} of {@code subject} (made when
   * absent), keeping the entries it has; nothing when it lists the digest already.
   */
  static void addToTag(RegistryClient client, String repo, Digest subject, Descriptor entry)
      throws IOException, PlinthException {
    Index old = tagIndex(client, repo, subject).orElse(null);
    List<Descriptor> entries = new ArrayList<>(old == null ? List.of() : old.manifests());
    if (entries.stream().anyMatch(d -> d.digest().equals(entry.digest()))) {
      return;
    }
    entries.add(entry);
    Index updated = new Index(MediaTypes.OCI_INDEX, null, entries, null,
        old == null ? Map.of() : old.annotations());
    client.putManifest(repo, tag(subject), MediaTypes.OCI_INDEX, updated.bytes());
  }

  /** The tag schema's index for {@code subject}, strictly parsed; empty when there is none. */
  static Optional<Index> tagIndex(RegistryClient client, String repo, Digest subject)
      throws IOException, PlinthException {
    String tag = tag(subject);
    if (client.manifestDigest(repo, tag).isEmpty()) {
      return Optional.empty();
    }
    String what = client.host + "/" + repo + ":" + tag + " (the referrers index of " + subject
        + ")";
    RegistryClient.Manifest m = client.manifest(repo, tag, null);
    if (!MediaTypes.isIndex(m.mediaType())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is a "
          + m.mediaType() + ", not an OCI index");
    }
    return Optional.of(bounded(Index.parse(m.bytes(), what), what));
  }

  /**
   * The referrers of {@code subject} in {@code repo}: from the registry's referrers API when it
   * has one, else from the tag schema's index; empty when there are none.
   */
  public static List<Descriptor> list(RegistryClient client, String repo, Digest subject)
      throws IOException, PlinthException {
    Optional<Index> api = client.referrers(repo, subject);
    if (api.isPresent()) {
      return bounded(api.get(), client.host + "/" + repo + " referrers of " + subject)
          .manifests();
    }
    return tagIndex(client, repo, subject).map(Index::manifests).orElse(List.of());
  }

  private static Index bounded(Index i, String what) throws PlinthException {
    if (i.manifests().size() > MAX_REFERRERS) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " lists "
          + i.manifests().size() + " referrers, over plinth's bound of " + MAX_REFERRERS);
    }
    return i;
  }

  /**
   * Copies what refers to {@code subjects} from {@code from}'s repository to {@code to}'s, as
   * {@link #copy(RegistryClient, String, RegistryClient, String, List)}.
   */
  public static List<Digest> copy(RegistryRef from, RegistryRef to, List<Digest> subjects,
      RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient source = RegistryClient.forPull(from, options);
        RegistryClient target = RegistryClient.forPush(to, options)) {
      return copy(source, from.repository(), target, to.repository(), subjects);
    }
  }

  /**
   * Copies the referrers of each of {@code subjects} (and cosign's {@code sha256-HEX.sig} tags)
   * from {@code from} to {@code to}, byte for byte: their blobs (mounted within one registry),
   * their manifests by digest, and lists them under their subjects in {@code to}.
   *
   * @return the referrers' manifest digests copied
   */
  public static List<Digest> copy(RegistryClient from, String fromRepo, RegistryClient to,
      String toRepo, List<Digest> subjects) throws IOException, PlinthException {
    List<Digest> out = new ArrayList<>();
    String mount = from.host.equals(to.host) ? fromRepo : null;
    for (Referring r : referring(from, fromRepo, subjects)) {
      RegistryClient.Manifest m = r.manifest();
      copyBlobs(from, fromRepo, to, toRepo, mount, m);
      if (r.tag() == null) {
        put(to, toRepo, m.bytes(), r.entry(), r.subject());
      } else {
        to.putManifest(toRepo, r.tag(), m.mediaType(), m.bytes());
      }
      out.add(m.digest());
    }
    return out;
  }

  /**
   * A manifest that refers to {@code subject}: a referrer (listed as {@code entry}, {@code tag}
   * null) or cosign's signature manifest under its {@code sha256-HEX.sig} tag.
   */
  private record Referring(RegistryClient.Manifest manifest, Descriptor entry, Digest subject,
      String tag) {}

  /**
   * What refers to each of {@code subjects} in {@code repo}, read: its referrers that are
   * manifests (an index as a referrer is not one plinth writes or copies), then cosign's
   * signature manifest when its tag is there.
   */
  private static List<Referring> referring(RegistryClient c, String repo, List<Digest> subjects)
      throws IOException, PlinthException {
    List<Referring> out = new ArrayList<>();
    for (Digest s : subjects) {
      for (Descriptor r : list(c, repo, s)) {
        if (MediaTypes.isManifest(r.mediaType())) {
          out.add(new Referring(c.manifest(repo, r.digest().toString(), r.digest()), r, s, null));
        }
      }
      String sig = CosignSignatures.tag(s);
      if (c.manifestDigest(repo, sig).isPresent()) {
        RegistryClient.Manifest m = c.manifest(repo, sig, null);
        out.add(new Referring(m, new Descriptor(m.mediaType(), m.digest(), m.bytes().length), s,
            sig));
      }
    }
    return out;
  }

  /**
   * Copies what refers to {@code subjects} in {@code from}'s repository into the OCI layout
   * {@code dir}: each referrer listed untagged, each {@code sha256-HEX.sig} under its tag
   * ({@link LayoutReferrers}).
   */
  public static List<Digest> copyToLayout(RegistryRef from, Path dir, List<Digest> subjects,
      RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient c = RegistryClient.forPull(from, options)) {
      String repo = from.repository();
      List<Digest> out = new ArrayList<>();
      for (Referring r : referring(c, repo, subjects)) {
        toLayout(c, repo, dir, r.manifest(), r.entry(), r.tag());
        out.add(r.manifest().digest());
      }
      return out;
    }
  }

  private static void toLayout(RegistryClient c, String repo, Path dir, RegistryClient.Manifest m,
      Descriptor entry, String tag) throws IOException, PlinthException {
    Manifest doc = Manifest.parse(m.bytes(), c.host + "/" + repo + "@" + m.digest());
    List<Blob> blobs = new ArrayList<>(List.of(c.blob(repo, doc.config())));
    doc.layers().forEach(l -> blobs.add(c.blob(repo, l)));
    LayoutReferrers.add(dir, m.bytes(), entry, blobs, tag);
  }

  /**
   * Copies what refers to {@code subjects} in the OCI layout {@code dir} to {@code to}'s
   * repository: referrers by digest, listed under their subjects, and cosign's {@code .sig}
   * manifests under their tags.
   */
  public static List<Digest> copyFromLayout(Path dir, RegistryRef to, List<Digest> subjects,
      RegistryOptions options) throws IOException, PlinthException {
    try (RegistryClient c = RegistryClient.forPush(to, options)) {
      String repo = to.repository();
      List<Digest> out = new ArrayList<>();
      for (Digest s : subjects) {
        List<LayoutReferrers.Entry> found = new ArrayList<>(LayoutReferrers.referrers(dir, s));
        Optional<LayoutReferrers.Entry> sig = LayoutReferrers.tagged(dir, CosignSignatures.tag(s));
        sig.ifPresent(found::add);
        for (LayoutReferrers.Entry e : found) {
          Manifest doc = Manifest.parse(e.bytes(), dir + " manifest " + e.descriptor().digest());
          List<Descriptor> blobs = new ArrayList<>(List.of(doc.config()));
          blobs.addAll(doc.layers());
          for (Descriptor b : blobs) {
            c.pushBlob(repo, LayoutReferrers.blob(dir, b), null);
          }
          if (sig.isPresent() && e == sig.get()) {
            c.putManifest(repo, CosignSignatures.tag(s), e.descriptor().mediaType(), e.bytes());
          } else {
            put(c, repo, e.bytes(), e.descriptor(), s);
          }
          out.add(e.descriptor().digest());
        }
      }
      return out;
    }
  }

  private static void copyBlobs(RegistryClient from, String fromRepo, RegistryClient to,
      String toRepo, String mount, RegistryClient.Manifest m) throws IOException, PlinthException {
    Manifest doc = Manifest.parse(m.bytes(), from.host + "/" + fromRepo + "@" + m.digest());
    List<Descriptor> blobs = new ArrayList<>(List.of(doc.config()));
    blobs.addAll(doc.layers());
    for (Descriptor d : blobs) {
      to.pushBlob(toRepo, from.blob(fromRepo, d), mount);
    }
  }

  private Referrers() {}
}
