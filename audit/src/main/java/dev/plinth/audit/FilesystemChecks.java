package dev.plinth.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The hierarchy, accounts and permissions: PL010, PL011, PL014-PL017. */
final class FilesystemChecks {
  static void check(ImageContext c) {
    tmp(c, "/tmp");
    tmp(c, "/var/tmp");
    accounts(c);
    duplicates(c);
    passwords(c);
    permissions(c);
  }

  /** PL010: /tmp and /var/tmp are world-writable and sticky. */
  private static void tmp(ImageContext c, String path) {
    FsTree.Node n = c.tree.resolve(path);
    if (n == null) {
      c.add(Rule.PL010, path, path + " does not exist: programs that write temporary files"
          + " (the JVM, Python's tempfile, sort) fail");
    } else if (!n.isDirectory()) {
      c.add(Rule.PL010, path, path + " is not a directory");
    } else if ((n.mode() & 01777) != 01777) {
      c.add(Rule.PL010, path, path + " has mode " + octal(n.mode()) + ", not 1777: "
          + ((n.mode() & 0002) == 0 ? "a non-root user cannot write it"
              : "without the sticky bit, users can delete each other's files"));
    }
  }

  /** PL011: /etc/passwd and /etc/group exist and every line reads. */
  private static void accounts(ImageContext c) {
    for (String file : List.of("/etc/passwd", "/etc/group")) {
      FsTree.Node n = c.tree.resolve(file);
      if (n == null) {
        c.add(Rule.PL011, file, file + " does not exist: programs that look up users or groups"
            + " (getpwuid, whoami, Java's user.name) fail");
      } else if (!n.isFile()) {
        c.add(Rule.PL011, file, file + " is not a regular file");
      } else if (c.content(file) == null) {
        c.add(Rule.PL011, file, file + " is " + n.size() + " bytes, too large to be an account"
            + " file");
      }
    }
    for (Accounts.Problem p : c.accounts.problems) {
      c.add(Rule.PL011, p.file(), "line " + p.line() + " " + p.message());
    }
  }

  /** PL014: each name, uid and gid once. */
  private static void duplicates(ImageContext c) {
    once(c, "/etc/passwd", "user", "uid", c.accounts.users);
    once(c, "/etc/group", "group", "gid", c.accounts.groups);
  }

  /** PL014 for one file: an entry whose name or {@code id} an earlier line has already. */
  private static void once(ImageContext c, String file, String kind, String id,
      List<? extends Accounts.Entry> entries) {
    Map<String, Accounts.Entry> byName = new HashMap<>();
    Map<Long, Accounts.Entry> byId = new HashMap<>();
    for (Accounts.Entry e : entries) {
      Accounts.Entry before = byName.putIfAbsent(e.name(), e);
      if (before != null) {
        c.add(Rule.PL014, file, "the " + kind + " " + e.name() + " is listed twice (lines "
            + before.line() + " and " + e.line() + ")");
        continue;
      }
      before = byId.putIfAbsent(e.id(), e);
      if (before != null) {
        c.add(Rule.PL014, file, id + " " + e.id() + " belongs to both " + before.name() + " and "
            + e.name() + (e instanceof Accounts.User && e.id() == 0 ? ": a second root account"
            : ""));
      }
    }
  }


  /** PL015: no account without a password. */
  private static void passwords(ImageContext c) {
    for (Accounts.User u : c.accounts.users) {
      if (u.password().isEmpty()) {
        c.add(Rule.PL015, "/etc/passwd", u.name() + " has an empty password field in"
            + " /etc/passwd: anyone can become " + u.name() + " without one (su, login)");
      }
    }
    for (Map.Entry<String, String> s : c.accounts.shadow.entrySet()) {
      if (s.getValue().isEmpty()) {
        c.add(Rule.PL015, "/etc/shadow", s.getKey() + " has an empty password in /etc/shadow:"
            + " anyone can become " + s.getKey() + " without one");
      }
    }
  }

  /** PL016, PL017: setuid/setgid files; world-writable paths outside sticky directories. */
  private static void permissions(ImageContext c) {
    for (Map.Entry<String, FsTree.Node> e : c.tree.all().entrySet()) {
      FsTree.Node n = e.getValue();
      String path = e.getKey();
      if (n.isFile() && (n.mode() & 06000) != 0) {
        String bits = (n.mode() & 04000) != 0 ? ((n.mode() & 02000) != 0 ? "setuid and setgid"
            : "setuid") : "setgid";
        c.add(Rule.PL016, path, bits + " (mode " + octal(n.mode()) + ", owner " + n.uid() + ":"
            + n.gid() + "): it runs with its owner's rights whoever starts it");
      }
      if ((n.mode() & 0002) == 0 || !(n.isFile() || n.isDirectory())) {
        continue;
      }
      if (n.isDirectory()) {
        if ((n.mode() & 01000) == 0) {
          c.add(Rule.PL017, path, "a world-writable directory without the sticky bit (mode "
              + octal(n.mode()) + "): any user can replace what others put in it");
        }
      } else {
        FsTree.Node parent = c.tree.get(FsTree.parent(path));
        if (parent == null || (parent.mode() & 01000) == 0) {
          c.add(Rule.PL017, path, "a world-writable file (mode " + octal(n.mode()) + "): any"
              + " user can change it");
        }
      }
    }
  }

  static String octal(int mode) {
    return String.format("%04o", mode & 07777);
  }

  private FilesystemChecks() {}
}
