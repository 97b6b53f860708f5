package dev.plinth.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The user the container runs as, and the process it starts: PL001-PL007, PL012, PL013. */
final class ProcessChecks {
  /** Inits that forward signals and reap zombies, by the name of their binary. */
  static final Set<String> INITS =
      Set.of("plinth-init", "tini", "tini-static", "dumb-init", "catatonit", "docker-init");
  static final Set<String> SHELLS =
      Set.of("sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox");
  /** Init options that take a value (tini -e 143, -p SIGKILL; dumb-init -r 15:3). */
  private static final Set<String> VALUE_OPTIONS = Set.of("-e", "-p", "-r", "--rewrite");

  static void check(ImageContext c) {
    Accounts.User account = user(c);
    if (account != null && account.uid() != 0) {
      home(c, account);
    }
    environment(c, account);
    process(c);
  }

  /** PL001-PL004: who the process runs as. Returns its account, when /etc/passwd lists it. */
  private static Accounts.User user(ImageContext c) {
    String user = c.config.user() == null ? "" : c.config.user().strip();
    Accounts a = c.accounts;
    if (user.isEmpty()) {
      c.add(Rule.PL001, null, "User is not set, so the container runs as root (uid 0)");
      return a.user("root");
    }
    int colon = user.indexOf(':');
    String u = colon < 0 ? user : user.substring(0, colon);
    String g = colon < 0 ? null : user.substring(colon + 1);
    Accounts.User account = null;
    if (isNumber(u)) {
      long uid = u.length() > 10 ? -1 : Long.parseLong(u);
      if (uid < 0 || uid > Accounts.MAX_ID) {
        c.add(Rule.PL002, null, "User " + user + " is not a valid uid: the container will not"
            + " start");
      } else if (uid == 0) {
        c.add(Rule.PL001, null, "User is " + user + ": uid 0 is root");
        account = a.userById(0);
      } else {
        account = a.userById(uid);
        if (account == null) {
          c.add(Rule.PL003, "/etc/passwd", "uid " + uid + " is not listed in /etc/passwd: the"
              + " runtime sets HOME=/, and programs that look up their user (whoami, Java's"
              + " user.name, ssh) fail");
        }
      }
    } else if (u.isEmpty()) {
      c.add(Rule.PL002, null, "User '" + user + "' names no user: the container will not start");
    } else {
      account = a.user(u);
      if (account == null) {
        c.add(Rule.PL002, "/etc/passwd", "User '" + u + "' is not in /etc/passwd"
            + (a.hasPasswd ? "" : " (the image has none)") + ": the container will not start");
      } else if (account.uid() == 0) {
        c.add(Rule.PL001, "/etc/passwd", "User '" + u + "' is uid 0, root");
      } else {
        c.add(Rule.PL004, null, "User is the name '" + u + "'; Kubernetes' runAsNonRoot cannot"
            + " check a name, " + account.uid() + ":" + account.gid() + " it can");
      }
    }
    if (g != null && !g.isEmpty() && !isNumber(g) && a.group(g) == null) {
      c.add(Rule.PL002, "/etc/group", "the group '" + g + "' of User " + user + " is not in"
          + " /etc/group: the container will not start");
    }
    return account;
  }

  /** PL012: the user's home exists and is theirs. */
  private static void home(ImageContext c, Accounts.User account) {
    String home = account.home();
    FsTree.Node n = home.startsWith("/") ? c.tree.resolve(home) : null;
    if (n == null) {
      c.add(Rule.PL012, home.isEmpty() ? "/etc/passwd" : home, "the home of " + account.name()
          + ", '" + home + "', does not exist");
    } else if (!n.isDirectory()) {
      c.add(Rule.PL012, home, "the home of " + account.name() + " is not a directory");
    } else if (n.uid() != account.uid()) {
      c.add(Rule.PL012, home, "the home of " + account.name() + " (uid " + account.uid()
          + ") is owned by uid " + n.uid() + ", so the user cannot write it");
    }
  }

  /** PL013 (and PL012 for HOME): HOME and USER agree with /etc/passwd. */
  private static void environment(ImageContext c, Accounts.User account) {
    String home = c.env.get("HOME");
    String user = c.env.get("USER");
    if (account != null && home != null && !trim(home).equals(trim(account.home()))) {
      c.add(Rule.PL013, null, "HOME=" + home + ", but /etc/passwd gives " + account.name()
          + " the home " + account.home());
    }
    if (account != null && user != null && !user.equals(account.name())) {
      c.add(Rule.PL013, null, "USER=" + user + ", but the container runs as " + account.name());
    }
    if (home != null && account == null) {
      FsTree.Node n = home.startsWith("/") ? c.tree.resolve(home) : null;
      if (n == null || !n.isDirectory()) {
        c.add(Rule.PL012, home, "HOME=" + home + " does not exist");
      }
    }
  }

  /** PL005-PL007: PID 1, the app under it, and whether they exist. */
  private static void process(ImageContext c) {
    List<String> entrypoint = c.config.entrypoint();
    List<String> argv = new ArrayList<>(entrypoint);
    argv.addAll(c.config.cmd());
    if (argv.isEmpty()) {
      c.add(Rule.PL005, null, "neither Entrypoint nor Cmd is set: nothing starts, init or app");
      return;
    }
    if (!program(c, argv.get(0), "PID 1")) {
      return;
    }
    String name = basename(argv.get(0));
    if (isInit(name)) {
      List<String> child = childOf(argv);
      if (!child.isEmpty()) {
        program(c, child.get(0), "the program " + name + " starts");
        shellWrapper(c, child);
      }
    } else {
      c.add(Rule.PL005, null, "PID 1 is " + argv.get(0) + ", not an init: it must forward"
          + " signals and reap zombies itself, or be stopped with SIGKILL");
      shellWrapper(c, argv);
    }
  }

  static boolean isInit(String name) {
    return INITS.contains(name) || name.matches("tini(-static)?-[a-z0-9]+");
  }

  /** The command an init runs: after "--", else its first argument that is not an option. */
  static List<String> childOf(List<String> argv) {
    int dashes = argv.indexOf("--");
    if (dashes >= 0) {
      return argv.subList(dashes + 1, argv.size());
    }
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.startsWith("-")) {
        if (VALUE_OPTIONS.contains(a)) {
          i++;
        }
        continue;
      }
      return argv.subList(i, argv.size());
    }
    return List.of();
  }

  /** PL006: a command run through {@code sh -c}, unless the command execs. */
  private static void shellWrapper(ImageContext c, List<String> argv) {
    int at = 0;
    if (basename(argv.get(0)).equals("busybox") && argv.size() > 1
        && SHELLS.contains(argv.get(1))) {
      at = 1;
    }
    if (!SHELLS.contains(basename(argv.get(at)))) {
      return;
    }
    for (int i = at + 1; i < argv.size(); i++) {
      if (argv.get(i).matches("-[a-z]*c[a-z]*")) {
        String command = i + 1 < argv.size() ? argv.get(i + 1).strip() : "";
        if (!command.startsWith("exec ")) {
          c.add(Rule.PL006, null, "the app runs as '" + String.join(" ", argv.subList(0, i + 1))
              + " …': SIGTERM reaches the shell, not the app, which is killed when the stop"
              + " timeout ends");
        }
        return;
      }
    }
  }

  /** PL007: the program exists, is executable, and so is its script interpreter. */
  private static boolean program(ImageContext c, String program, String role) {
    if (program.isEmpty()) {
      c.add(Rule.PL007, null, role + " is an empty string");
      return false;
    }
    String found = c.findProgram(program);
    if (found == null) {
      c.add(Rule.PL007, program.contains("/") ? program : null, role + " " + program
          + (program.contains("/") ? " does not exist" : " is not an executable in PATH ("
              + c.env.getOrDefault("PATH", ImageContext.DEFAULT_PATH) + ")")
          + ": the container fails to start");
      return false;
    }
    FsTree.Node n = c.tree.resolve(found);
    if (!n.isFile()) {
      c.add(Rule.PL007, found, role + " " + program + " is not a regular file");
      return false;
    }
    if ((n.mode() & 0111) == 0) {
      c.add(Rule.PL007, found, role + " " + program + " is not executable (mode "
          + String.format("%04o", n.mode()) + "): the container fails to start");
      return false;
    }
    String shebang = n.facts() == null ? null : n.facts().shebang();
    if (shebang != null && !shebang.isEmpty()) {
      String[] words = shebang.split("\\s+");
      String interpreter = words[0];
      if (basename(interpreter).equals("env") && words.length > 1 && c.tree.resolve(interpreter)
          != null) {
        String target = words[1].equals("-S") && words.length > 2 ? words[2] : words[1];
        if (c.findProgram(target) == null) {
          c.add(Rule.PL007, found, role + " " + program + " is a script for " + target
              + ", which is not in PATH");
        }
      } else {
        FsTree.Node i = c.tree.resolve(interpreter);
        if (i == null || !i.isFile()) {
          c.add(Rule.PL007, found, role + " " + program + " is a script whose interpreter "
              + interpreter + " does not exist");
        }
      }
    }
    return true;
  }

  static String basename(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }

  private static String trim(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private ProcessChecks() {}
}
