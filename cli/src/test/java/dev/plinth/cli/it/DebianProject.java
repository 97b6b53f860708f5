package dev.plinth.cli.it;

import dev.plinth.deb.testing.TestRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A project whose plinth.yaml takes Debian packages from a {@link TestRepo}. */
final class DebianProject {
  private DebianProject() {}

  /**
   * Writes {@code dir/plinth.yaml}: {@code head} (its packages and whatever else), then a debian
   * section naming {@code mirror} (where the repository is served, or reached through a proxy)
   * and the repository's keyring, copied beside it.
   *
   * @return the plinth.yaml
   */
  static Path write(Path dir, TestRepo repo, String mirror, String head) throws IOException {
    Files.createDirectories(dir);
    Files.copy(repo.keyring(), dir.resolve("keyring.gpg"));
    Path yaml = dir.resolve("plinth.yaml");
    Files.writeString(yaml, head + "debian: {suite: bookworm, mirror: \"" + mirror
        + "\", keyring: keyring.gpg}\n");
    return yaml;
  }
}
