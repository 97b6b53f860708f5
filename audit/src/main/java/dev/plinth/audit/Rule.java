package dev.plinth.audit;

import java.util.Locale;

/**
 * The audit's rules. Ids are stable: a rule may be retired but its id is never reused.
 * docs/audit.md explains each one: why it matters and how to fix it.
 */
public enum Rule {
  // ---- the user and the process ----
  PL001("runs-as-root", Severity.ERROR, "runs as root",
      "set a non-root user, numeric: USER 65532:65532"),
  PL002("user-unknown", Severity.ERROR, "user not in /etc/passwd or /etc/group",
      "add the user to /etc/passwd (and its group to /etc/group), or use a numeric uid"),
  PL003("uid-unlisted", Severity.INFO, "numeric uid not listed in /etc/passwd",
      "add a line for the uid to /etc/passwd, with its home"),
  PL004("user-by-name", Severity.INFO, "user given by name, not number",
      "give the user as uid:gid, which Kubernetes' runAsNonRoot can check"),
  PL005("no-init", Severity.WARNING, "no init as PID 1",
      "start the app through an init: plinth's, tini, dumb-init or catatonit"),
  PL006("shell-wrapper", Severity.WARNING, "the app runs under a shell",
      "use the exec form: ENTRYPOINT [\"/app/server\"], not a shell command line"),
  PL007("entrypoint-missing", Severity.ERROR, "the program to run is missing or not executable",
      "fix the entrypoint's path, or add the program (or a script's interpreter) to the image"),
  // ---- the filesystem hierarchy ----
  PL010("tmp-dirs", Severity.WARNING, "/tmp or /var/tmp missing or not mode 1777",
      "create /tmp and /var/tmp as root-owned directories with mode 1777"),
  PL011("passwd-group", Severity.WARNING, "/etc/passwd or /etc/group missing or malformed",
      "ship /etc/passwd and /etc/group with one well-formed line per account"),
  PL012("home-dir", Severity.WARNING, "the user's home is missing or not theirs",
      "create the home directory listed in /etc/passwd, owned by the user"),
  PL013("env-user", Severity.WARNING, "HOME or USER disagree with /etc/passwd",
      "set HOME and USER to the user's home and name, or leave them unset"),
  PL014("duplicate-ids", Severity.WARNING, "duplicate users, groups, uids or gids",
      "give every account and group its own name and number"),
  PL015("empty-password", Severity.ERROR, "an account with an empty password",
      "lock the account: put * or ! in its password field, in /etc/shadow or /etc/passwd"),
  PL016("setuid", Severity.WARNING, "setuid or setgid files",
      "remove the file, or its setuid/setgid bits: chmod u-s,g-s FILE"),
  PL017("world-writable", Severity.WARNING, "world-writable outside a sticky directory",
      "remove the write bit for others (chmod o-w), or make the directory sticky (chmod +t)"),
  // ---- what the image holds ----
  PL020("ca-bundle", Severity.WARNING, "no CA certificate bundle",
      "add CA certificates (plinth: packages: [ca-certificates]) if the app makes TLS connections"),
  PL021("tzdata", Severity.INFO, "no timezone database",
      "add timezone data (plinth: packages: [tzdata]) if the app converts local times"),
  PL022("shell", Severity.INFO, "a shell is present",
      "leave the shell out of the production image; debug with an ephemeral container"),
  PL023("package-manager", Severity.INFO, "a package manager is present",
      "install packages at build time and leave the package manager out"),
  PL024("sudo", Severity.WARNING, "sudo or doas is present",
      "remove sudo: a container's user should not be able to become root"),
  // ---- secrets and leftovers ----
  PL030("secret-env", Severity.ERROR, "a secret in Env or Labels",
      "remove it from the image; pass secrets at run time (a mounted file, an env var)"),
  PL031("high-entropy-env", Severity.WARNING, "a random-looking value in Env or Labels",
      "if it is a key or token, remove it from the image and pass it at run time"),
  PL032("secret-history", Severity.ERROR, "a secret in the image history",
      "rebuild without it: build secrets (RUN --mount=type=secret), not ARG or ENV"),
  PL033("secret-file", Severity.ERROR, "a private key or credentials file",
      "remove the file from every layer and rotate the secret: it has been published"),
  PL034("credential-file", Severity.WARNING, "a file that usually holds credentials",
      "check it; remove it if it holds secrets (.dockerignore keeps it out of COPY)"),
  PL035("junk", Severity.INFO, "files a production image does not need",
      "leave build leftovers out: .dockerignore, and clean caches in the same RUN"),
  // ---- binaries ----
  PL040("elf-interpreter-missing", Severity.ERROR, "a program's loader is missing",
      "add the loader (e.g. libc6's ld-linux), or build the program statically"),
  PL041("elf-library-missing", Severity.ERROR, "a shared library a program needs is missing",
      "add the library (plinth: the Debian package that ships it), or link statically"),
  PL042("elf-wrong-machine", Severity.ERROR, "a binary built for another architecture",
      "build the binary for the image's platform"),
  PL043("elf-unreadable", Severity.INFO, "a file that looks like ELF but is not loadable",
      "check the file: it is truncated or corrupt"),
  // ---- the image and its layers ----
  PL050("platform-missing", Severity.ERROR, "a platform asked for is not in the index",
      "build and push the image for every platform you deploy to"),
  PL051("platform-mismatch", Severity.ERROR, "the config's platform differs from the index's",
      "rebuild: the index lists the image under a platform it was not built for"),
  PL052("size-budget", Severity.ERROR, "over the size budget",
      "make the image smaller, or raise --max-size"),
  PL053("layer-duplicate-path", Severity.WARNING, "a path appears twice in one layer",
      "rebuild the layer with each path once; tools disagree about which one wins"),
  PL054("layer-unsafe-entry", Severity.WARNING, "a layer entry tools may apply differently",
      "rebuild the layer with relative paths, no device nodes, and no writes through symlinks"),
  PL055("sensitive-volume", Severity.WARNING, "a VOLUME over a system directory",
      "declare volumes only for data directories"),
  PL056("config-invalid", Severity.ERROR, "the config is not a valid image config",
      "rebuild the image with a tool that writes configs Docker and containerd can read"),
  // ---- metadata ----
  PL060("no-healthcheck", Severity.INFO, "no HEALTHCHECK",
      "let the orchestrator probe the app (Kubernetes probes), or add a HEALTHCHECK"),
  PL061("latest-tag", Severity.INFO, "the :latest tag",
      "deploy a version tag or a digest, which always names the same image"),
  PL062("oci-labels", Severity.INFO, "OCI labels missing",
      "add org.opencontainers.image.source, version and revision labels");

  private final String slug;
  private final Severity severity;
  private final String title;
  private final String fix;

  Rule(String slug, Severity severity, String title, String fix) {
    this.slug = slug;
    this.severity = severity;
    this.title = title;
    this.fix = fix;
  }

  /** The stable id, e.g. PL001. */
  public String id() {
    return name();
  }

  /** A short name, e.g. runs-as-root. */
  public String slug() {
    return slug;
  }

  /** The usual severity; a few rules document when one of their findings differs. */
  public Severity severity() {
    return severity;
  }

  public String title() {
    return title;
  }

  /** How to fix it, in one line. */
  public String fix() {
    return fix;
  }

  /** Where docs/audit.md explains it. */
  public String docsAnchor() {
    return "docs/audit.md#" + id().toLowerCase(Locale.ROOT);
  }
}
