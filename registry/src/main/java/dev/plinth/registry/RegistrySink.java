package dev.plinth.registry;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Parallel;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pushes images to a registry: layers, configs and artifacts' blobs first, in parallel (each
 * skipped when the registry has it, mounted when it is in another repository of the same
 * registry), then each image's and artifact's manifest, then the index (or the lone manifest)
 * under the tag.
 */
public final class RegistrySink {
  /**
   * Pushes {@code index} to {@code ref}: its index document when {@link ImageIndex#isIndex()},
   * else its lone manifest.
   *
   * @return what the tag now points at
   */
  public static Descriptor push(ImageIndex index, RegistryRef ref, RegistryOptions options)
      throws IOException, PlinthException {
    try (RegistryClient client = RegistryClient.forPush(ref, options)) {
      return push(client, index, ref, options);
    }
  }

  private static Descriptor push(RegistryClient client, ImageIndex index, RegistryRef ref,
      RegistryOptions options) throws IOException, PlinthException {
    String repo = ref.repository();
    client.http.ping();
    List<ImageIndex.Child> children = index.children();
    Map<Digest, Blob> blobs = new LinkedHashMap<>();
    for (ImageIndex.Child c : children) {
      for (Blob b : c.blobs()) {
        blobs.putIfAbsent(b.descriptor().digest(), b);
      }
    }
    // the biggest first: the parallel uploads then end close together
    List<Blob> bySize = new ArrayList<>(blobs.values());
    bySize.sort(java.util.Comparator.comparingLong((Blob b) -> size(b)).reversed());
    Set<Digest> sent = pushBlobs(client, repo, ref.host(), bySize, options);
    boolean multi = index.isIndex();
    Blob top = multi ? index.index() : children.get(0).manifest();
    // A document that refers to a blob the repository did not have cannot be there yet (a
    // registry refuses a manifest whose blobs it lacks): it is put without asking first.
    boolean topIsNew = !multi && refersTo(children.get(0), sent);
    if (multi) {
      for (ImageIndex.Child c : children) {
        Blob m = c.manifest();
        Descriptor d = m.descriptor();
        boolean isNew = refersTo(c, sent);
        topIsNew |= isNew;
        if (isNew || client.manifestDigest(repo, d.digest().toString()).isEmpty()) {
          client.putManifest(repo, d.digest().toString(), d.mediaType(), m.readAllBytes());
          options.progress().finished(d.digest(), d.size(), Progress.Outcome.PUSHED);
        } else {
          options.progress().finished(d.digest(), d.size(), Progress.Outcome.EXISTS);
        }
      }
    }
    Descriptor td = top.descriptor();
    String reference = ref.tag() != null ? ref.tag() : td.digest().toString();
    if (ref.digest() != null && !ref.digest().equals(td.digest())) {
      throw new PlinthException(PlinthException.Kind.USAGE, ref + ": the image's digest is "
          + td.digest() + ", not the one the reference names");
    }
    Optional<Digest> there = topIsNew ? Optional.empty() : client.manifestDigest(repo, reference);
    if (there.isPresent() && there.get().equals(td.digest())) {
      options.progress().finished(td.digest(), td.size(), Progress.Outcome.EXISTS);
    } else {
      client.putManifest(repo, reference, td.mediaType(), top.readAllBytes());
      options.progress().finished(td.digest(), td.size(), Progress.Outcome.PUSHED);
    }
    return td;
  }

  private static boolean refersTo(ImageIndex.Child child, Set<Digest> sent) throws IOException {
    for (Blob b : child.blobs()) {
      if (sent.contains(b.descriptor().digest())) {
        return true;
      }
    }
    return false;
  }

  /** Pushes the blobs; returns those the repository did not have (uploaded or mounted). */
  private static Set<Digest> pushBlobs(RegistryClient client, String repo, String host,
      List<Blob> blobs, RegistryOptions options) throws IOException, PlinthException {
    Set<Digest> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    if (blobs.isEmpty()) {
      return sent;
    }
    int threads = Math.min(options.parallel(), blobs.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "plinth-push");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      // set by the first blob that fails, before its thread can take another: no blob starts
      // after a failure (the pool is only stopped once this thread sees it)
      java.util.concurrent.atomic.AtomicBoolean failed =
          new java.util.concurrent.atomic.AtomicBoolean();
      for (Blob b : blobs) {
        futures.add(pool.submit(() -> {
          if (failed.get()) {
            return null;
          }
          try {
            Descriptor d = b.descriptor();
            String from = null;
            if (b instanceof RegistryClient.RemoteBlob rb && rb.host().equals(host)
                && !rb.repository().equals(repo)) {
              from = rb.repository();
            }
            Progress.Outcome o = client.pushBlob(repo, b, from);
            if (o != Progress.Outcome.EXISTS) {
              sent.add(d.digest());
            }
            options.progress().finished(d.digest(), d.size(), o);
            return null;
          } catch (Exception | Error e) {
            failed.set(true);
            throw e;
          }
        }));
      }
      for (Future<Void> f : futures) {
        Parallel.join(f); // the first failure as it was thrown; the finally stops the others
      }
    } finally {
      pool.shutdownNow();
    }
    return sent;
  }

  private static long size(Blob b) {
    try {
      return b.descriptor().size();
    } catch (IOException e) {
      return 0;
    }
  }

  private RegistrySink() {}
}
