package dev.plinth.maven;

import dev.plinth.builder.BuildResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a build wrote, in the lines {@code plinth build} prints (its text format). */
final class ResultLines {
  static List<String> of(BuildResult r) {
    List<String> out = new ArrayList<>(r.notes());
    out.add("wrote " + r.target() + " (" + kind(r.top().mediaType()) + " " + r.top().digest() + ")");
    for (BuildResult.PlatformImage i : r.images()) {
      out.add(String.format(Locale.ROOT, "  %-14s %s  %d layer%s  files %s  compressed %s",
          i.platform(), i.manifest(), i.layers(), i.layers() == 1 ? "" : "s",
          BuildResult.size(i.fileBytes()), BuildResult.size(i.compressedBytes())));
    }
    for (Path f : r.sboms()) {
      out.add("wrote SBOM " + f);
    }
    return out;
  }

  private static String kind(String mediaType) {
    return mediaType.contains("index") || mediaType.contains("list") ? "index" : "manifest";
  }

  private ResultLines() {}
}
