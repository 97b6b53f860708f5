package dev.plinth.builder;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Times a build can take its files' dates from, besides SOURCE_DATE_EPOCH: the commit time of the
 * last commit of the project's git repository, as release tools date what they build (so files
 * served from an image, a static site's, are not dated 1970 and still reproducible).
 */
public final class SourceDates {
  private SourceDates() {}

  /**
   * The committer time of {@code HEAD} in the git repository holding {@code dir}, in seconds
   * since 1970, as {@code git log -1 --format=%ct} gives it.
   *
   * @throws PlinthException USAGE when git is missing or {@code dir} is not in a git repository
   *     with a commit, naming the directory
   */
  public static long lastCommit(Path dir) throws PlinthException {
    List<String> cmd = List.of("git", "-C", dir.toAbsolutePath().toString(), "log", "-1",
        "--format=%ct");
    String out;
    int code;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      // a commit time is a few bytes; more is an error message, read no further than 4 KiB
      out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new PlinthException(PlinthException.Kind.USAGE, "git log in " + dir
            + " did not answer within 60 s");
      }
      code = p.exitValue();
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.USAGE, "the files' time from the last"
          + " commit needs git on the PATH (" + e.getMessage() + "); or set SOURCE_DATE_EPOCH");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(PlinthException.Kind.USAGE, "interrupted asking git in " + dir);
    }
    if (code != 0 || !out.matches("\\d{1,12}")) {
      throw new PlinthException(PlinthException.Kind.USAGE, dir + " is not in a git repository"
          + " with a commit, so it has no last commit time to date the files by (git: "
          + out.lines().findFirst().orElse("exit " + code) + "); commit first, or set"
          + " SOURCE_DATE_EPOCH");
    }
    return Long.parseLong(out);
  }
}
