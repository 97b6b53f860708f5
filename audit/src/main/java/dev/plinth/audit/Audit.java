package dev.plinth.audit;

import dev.plinth.oci.Parallel;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Filesystem;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerDiff;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Sizes;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit facade: checks any image against the production standard, every platform of an
 * index, and says what it found (docs/audit.md lists the rules). The CLI's {@code plinth audit}
 * is a call here.
 *
 * <p>Images come from the facade's read, so whatever source it reads (a layout, an archive, a
 * registry) an audit reads too, layers lazily. Layers are read once each, streamed, and applied in
 * memory to the {@link Filesystem} copyFrom uses too: nothing is written to disk.
 */
public final class Audit {
  /** At most this many findings of one rule per platform; the rest are counted in one more. */
  static final int MAX_PER_RULE = 20;

  /**
   * How to audit.
   *
   * @param failOn the lowest severity that fails the audit (exit 1); null: none does
   * @param maxCompressedBytes the size budget per platform, compressed (what a pull moves); -1
   *     for none
   * @param platforms platforms the index must have; empty for no requirement
   * @param suppressions findings accepted on purpose: reported as suppressed, failing nothing
   */
  public record Options(Severity failOn, long maxCompressedBytes, List<Platform> platforms,
      Limits limits, List<Suppression> suppressions) {
    public static final Options DEFAULT = new Options(Severity.ERROR, -1, List.of(),
        Limits.DEFAULT, List.of());

    public Options {
      platforms = List.copyOf(platforms);
      suppressions = List.copyOf(suppressions);
    }

    public Options withFailOn(Severity s) {
      return new Options(s, maxCompressedBytes, platforms, limits, suppressions);
    }

    public Options withMaxCompressedBytes(long max) {
      return new Options(failOn, max, platforms, limits, suppressions);
    }

    public Options withPlatforms(List<Platform> p) {
      return new Options(failOn, maxCompressedBytes, p, limits, suppressions);
    }

    public Options withLimits(Limits l) {
      return new Options(failOn, maxCompressedBytes, platforms, l, suppressions);
    }

    public Options withSuppressions(List<Suppression> s) {
      return new Options(failOn, maxCompressedBytes, platforms, limits, s);
    }
  }

  /** Audits an image (every image of an index) already read from {@code ref}. */
  public static AuditReport audit(ImageRef ref, ImageIndex read, Options options)
      throws IOException, PlinthException {
    List<Finding> findings = new ArrayList<>();
    List<AuditReport.ImageSummary> summaries = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<Platform> audited = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    java.util.Set<Suppression> used = new java.util.HashSet<>();
    for (Artifact a : read.artifacts()) {
      notes.add("skipped artifact " + a.manifest().descriptor().digest() + " ("
          + a.document().kind() + "): an artifact, not an image");
    }
    for (Image image : read.images()) {
      Platform p = image.platform();
      if (p.os().equals("unknown") && p.architecture().equals("unknown")) {
        notes.add("skipped manifest " + image.manifest().descriptor().digest()
            + ": platform unknown/unknown (an attestation, not an image)");
      } else if (!p.os().equals("linux")) {
        notes.add("skipped the " + p + " image: plinth audits Linux images");
      } else {
        images.add(image);
      }
    }
    // Each distinct layer is read once (platforms share the app's), several at a time.
    Map<Digest, Future<LayerChanges>> layers = new LinkedHashMap<>();
    ExecutorService pool = layerReaders("plinth-audit-layer");
    try {
      for (Image image : images) {
        for (int i = 0; i < image.layers().size(); i++) {
          Layer layer = image.layers().get(i);
          String layerWhat = ref + " layer " + (i + 1) + " (" + layer.blob().descriptor().digest()
              + ")";
          layers.computeIfAbsent(layer.blob().descriptor().digest(), d -> pool.submit(
              () -> LayerReader.read(layer, layerWhat, options.limits())));
        }
      }
      auditImages(ref, images, layers, options, findings, summaries, audited, used);
    } finally {
      pool.shutdownNow();
    }
    if (images.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, ref
          + " holds no Linux image to audit");
    }
    List<Finding> index = new ArrayList<>();
    ImageChecks.platforms(options.platforms(), audited, index);
    ImageChecks.latest(ref, index);
    findings.addAll(suppress(index, options.suppressions(), used));
    findings.addAll(index);
    for (Suppression s : options.suppressions()) {
      if (!used.contains(s)) {
        notes.add("warning: the suppression " + s.describe() + " (" + s.source()
            + ") matches no finding; remove it if what it accepted is gone");
      }
    }
    findings.sort(Comparator.comparing((Finding f) -> f.severity())
        .thenComparing(f -> f.rule().id())
        .thenComparing(f -> f.platform() == null ? "" : f.platform())
        .thenComparing(f -> f.path() == null ? "\uffff" : f.path()));
    return new AuditReport(ref.toString(), read.top().mediaType(), read.top().digest().toString(),
        options.failOn(), summaries, findings, notes);
  }

  /** The layer read for {@code digest}, its failure rethrown as it was. */
  private static LayerChanges changes(Map<Digest, Future<LayerChanges>> layers, Digest digest)
      throws IOException, PlinthException {
    return Parallel.join(layers.get(digest));
  }

  private static void auditImages(ImageRef ref, List<Image> images,
      Map<Digest, Future<LayerChanges>> layers, Options options, List<Finding> findings,
      List<AuditReport.ImageSummary> summaries, List<Platform> audited,
      java.util.Set<Suppression> used) throws IOException, PlinthException {
    for (Image image : images) {
      audited.add(image.platform());
      String what = ref + " (" + image.platform() + ")";
      List<Finding> imageFindings = new ArrayList<>();
      ImageConfig config;
      boolean valid = true;
      try {
        config = ImageConfig.parse(image.config().readAllBytes(), what + " config");
      } catch (PlinthException e) {
        if (e.kind() != PlinthException.Kind.BAD_INPUT) {
          throw e;
        }
        valid = false;
        config = new ImageConfig(null, null, image.platform().architecture(),
            image.platform().variant(), image.platform().os(), null,
            ImageConfig.RootFs.layers(List.of()), null, Map.of());
        imageFindings.add(new Finding(Rule.PL056, Rule.PL056.severity(),
            image.platform().toString(), null, e.getMessage()));
      }
      Filesystem<FileFacts> fs = new Filesystem<>(what, options.limits().fs());
      long uncompressed = apply(image, ref.toString(), fs,
          (i, digest) -> changes(layers, digest), imageFindings);
      long compressed = image.manifest().descriptor().size() + image.config().descriptor().size();
      for (Layer layer : image.layers()) {
        compressed += layer.blob().descriptor().size();
      }
      FsTree tree = new FsTree(fs);
      ImageContext c = new ImageContext(image.platform(), config, tree);
      if (valid) {
        ProcessChecks.check(c); // the rules that read the config, when it can be read
      }
      FilesystemChecks.check(c);
      ContentChecks.check(c);
      BinaryChecks.check(c);
      if (valid) {
        ImageChecks.check(c);
      }
      if (options.maxCompressedBytes() >= 0 && compressed > options.maxCompressedBytes()) {
        c.add(Rule.PL052, null, Sizes.decimal(compressed) + " compressed ("
            + Sizes.decimal(uncompressed) + " uncompressed), over the budget of "
            + Sizes.decimal(options.maxCompressedBytes()));
      }
      imageFindings.addAll(c.findings);
      List<Finding> accepted = suppress(imageFindings, options.suppressions(), used);
      findings.addAll(cap(imageFindings));
      findings.addAll(cap(accepted));
      long files = 0;
      long fileBytes = 0;
      for (FsTree.Node n : tree.all().values()) {
        if (n.isFile()) {
          files++;
          fileBytes += n.size();
        }
      }
      summaries.add(new AuditReport.ImageSummary(image.platform().toString(),
          image.manifest().descriptor().digest().toString(), image.layers().size(), compressed,
          uncompressed, files, fileBytes));
    }
  }

  /**
   * Threads that read layers, several at a time (at most four: each inflates one layer and holds
   * its facts), daemons named {@code name}; the caller shuts them down.
   */
  static ExecutorService layerReaders(String name) {
    return Executors.newFixedThreadPool(
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** The layer an image's {@code i}th layer changes, read once. */
  interface LayerSource {
    LayerChanges changes(int i, Digest digest) throws IOException, PlinthException;
  }

  /**
   * Applies an image's layers to {@code fs} in order, each layer's notes (duplicate paths,
   * devices) added as findings; returns the layers' tar bytes.
   */
  static long apply(Image image, String ref, Filesystem<FileFacts> fs, LayerSource layers,
      List<Finding> findings) throws IOException, PlinthException {
    List<LayerChanges.Note> layerNotes = new ArrayList<>();
    List<LayerDiff.Note> applyNotes = new ArrayList<>();
    long uncompressed = 0;
    for (int i = 0; i < image.layers().size(); i++) {
      Digest digest = image.layers().get(i).blob().descriptor().digest();
      String layerWhat = ref + " layer " + (i + 1) + " (" + digest + ")";
      LayerChanges changes = layers.changes(i, digest);
      layerNotes.clear();
      layerNotes.addAll(changes.notes());
      applyNotes.clear();
      fs.apply(changes.diff(), i, layerWhat, applyNotes);
      for (LayerDiff.Note n : applyNotes) {
        layerNotes.add(LayerChanges.Note.of(n));
      }
      for (LayerChanges.Note n : layerNotes) {
        findings.add(new Finding(n.rule(), n.rule().severity(), image.platform().toString(),
            n.path() == null ? null : "/" + n.path(), "layer " + (i + 1) + ": " + n.message()));
      }
      uncompressed += changes.uncompressedBytes();
    }
    return uncompressed;
  }

  /**
   * Takes the findings a suppression accepts out of {@code in} and returns them, marked; the
   * suppressions that matched go into {@code used}.
   */
  private static List<Finding> suppress(List<Finding> in, List<Suppression> suppressions,
      java.util.Set<Suppression> used) {
    List<Finding> accepted = new ArrayList<>();
    if (suppressions.isEmpty()) {
      return accepted;
    }
    for (java.util.Iterator<Finding> it = in.iterator(); it.hasNext(); ) {
      Finding f = it.next();
      for (Suppression s : suppressions) {
        if (s.matches(f)) {
          used.add(s);
          accepted.add(f.suppressedBy(s));
          it.remove();
          break;
        }
      }
    }
    return accepted;
  }

  /** At most {@link #MAX_PER_RULE} findings of a rule (per platform), then one that counts the rest. */
  private static List<Finding> cap(List<Finding> in) {
    Map<Rule, Integer> count = new LinkedHashMap<>();
    Map<Rule, Finding> firstDropped = new LinkedHashMap<>();
    List<Finding> out = new ArrayList<>();
    for (Finding f : in) {
      int n = count.merge(f.rule(), 1, Integer::sum);
      if (n <= MAX_PER_RULE) {
        out.add(f);
      } else {
        firstDropped.putIfAbsent(f.rule(), f);
      }
    }
    firstDropped.forEach((rule, f) -> out.add(new Finding(rule, f.severity(), f.platform(), null,
        "and " + (count.get(rule) - MAX_PER_RULE) + " more like these", f.suppression())));
    return out;
  }

  private static final Pattern SIZE = Pattern.compile(
      "(\\d+(?:\\.\\d+)?)\\s*(B|kB|KB|K|KiB|MB|M|MiB|GB|G|GiB)?", Pattern.CASE_INSENSITIVE);

  /**
   * Parses a size such as 50MB, 1.5GB, 512KiB or 1000 (bytes). kB, MB and GB are decimal (as
   * registries and plinth's output count), KiB, MiB and GiB binary; K, M and G are decimal.
   *
   * @param option names the option in the error
   */
  public static long parseSize(String text, String option) throws PlinthException {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new PlinthException(PlinthException.Kind.USAGE, option + ": '" + text
          + "' is not a size such as 50MB, 1.5GB or 512MiB");
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor = switch (unit) {
      case "b" -> 1;
      case "kb", "k" -> 1000;
      case "kib" -> 1024;
      case "mb", "m" -> 1_000_000;
      case "mib" -> 1 << 20;
      case "gb", "g" -> 1_000_000_000;
      case "gib" -> 1L << 30;
      default -> throw new IllegalStateException(unit);
    };
    BigDecimal v = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
    if (v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
      throw new PlinthException(PlinthException.Kind.USAGE, option + ": '" + text
          + "' is too large");
    }
    return v.longValue();
  }

  private Audit() {}
}
