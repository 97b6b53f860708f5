package dev.plinth.maven;

import dev.plinth.builder.BuildResult;
import java.util.List;

/** What a build wrote, in the lines {@code plinth build} prints (its text format). */
final class ResultLines {
  static List<String> of(BuildResult r) {
    return r.lines();
  }

  private ResultLines() {}
}
