package dev.plinth.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * /etc/passwd, /etc/group and /etc/shadow as glibc's files backend reads them. A line that is not
 * well formed becomes a {@link Problem}, never an exception: the audit reports it and goes on with
 * the lines it could read.
 */
final class Accounts {
  /** The largest uid or gid (2^32 - 2; 2^32 - 1 is (uid_t) -1, "no user"). */
  static final long MAX_ID = 4294967294L;

  /** A line of /etc/passwd or /etc/group: a name and a number (uid, gid), each to be unique. */
  interface Entry {
    String name();

    long id();

    int line();
  }

  record User(String name, String password, long uid, long gid, String home, String shell,
      int line) implements Entry {
    @Override
    public long id() {
      return uid;
    }
  }

  record Group(String name, long gid, int line) implements Entry {
    @Override
    public long id() {
      return gid;
    }
  }

  /** A line that could not be read, or a file that is missing. */
  record Problem(String file, int line, String message) {}

  final boolean hasPasswd;
  final boolean hasGroup;
  final List<User> users = new ArrayList<>();
  final List<Group> groups = new ArrayList<>();
  /** /etc/shadow's password field by user name, in file order; empty when there is no shadow. */
  final Map<String, String> shadow = new LinkedHashMap<>();
  final List<Problem> problems = new ArrayList<>();

  /**
   * Parses the three files; a null argument is a file the image lacks.
   */
  Accounts(byte[] passwd, byte[] group, byte[] shadowFile) {
    hasPasswd = passwd != null;
    hasGroup = group != null;
    lines(passwd, "/etc/passwd", 7, " (name:password:uid:gid:gecos:home:shell)", "user",
        (n, f) -> {
          long uid = id(f[2]);
          long gid = id(f[3]);
          if (uid < 0 || gid < 0) {
            return "has a uid or gid that is not a number from 0 to " + MAX_ID;
          }
          users.add(new User(f[0], f[1], uid, gid, f[5], f[6], n));
          return null;
        });
    lines(group, "/etc/group", 4, " (name:password:gid:members)", "group", (n, f) -> {
      long gid = id(f[2]);
      if (gid < 0) {
        return "has a gid that is not a number from 0 to " + MAX_ID;
      }
      groups.add(new Group(f[0], gid, n));
      return null;
    });
    lines(shadowFile, "/etc/shadow", 9, "", "user", (n, f) -> {
      shadow.putIfAbsent(f[0], f[1]);
      return null;
    });
  }

  User user(String name) {
    return first(users, u -> u.name.equals(name));
  }

  User userById(long uid) {
    return first(users, u -> u.uid == uid);
  }

  Group group(String name) {
    return first(groups, g -> g.name.equals(name));
  }

  private static <T> T first(List<T> entries, Predicate<T> which) {
    for (T e : entries) {
      if (which.test(e)) {
        return e;
      }
    }
    return null;
  }

  private interface LineParser {
    /** Returns why the line is malformed, or null. */
    String parse(int lineNumber, String[] fields);
  }

  /**
   * Hands each line of {@code content} (null: a file the image lacks) that has {@code fields}
   * fields, the first a {@code kind}'s name, to {@code parser}; other lines are problems, the
   * count's with {@code form} said.
   */
  private void lines(byte[] content, String file, int fields, String form, String kind,
      LineParser parser) {
    if (content == null) {
      return;
    }
    String text = new String(content, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty() && i == lines.length - 1) {
        break;
      }
      if (line.isBlank() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
        continue; // comments, and NIS compat entries that the files backend skips
      }
      if (line.indexOf('\0') >= 0 || line.indexOf('\uFFFD') >= 0) {
        problems.add(new Problem(file, i + 1, "is not text"));
        continue;
      }
      String[] f = line.split(":", -1);
      String why = f.length != fields ? "has " + f.length + " fields, not " + fields + form
          : f[0].isEmpty() ? "has an empty " + kind + " name" : parser.parse(i + 1, f);
      if (why != null) {
        problems.add(new Problem(file, i + 1, why));
      }
    }
  }

  private static long id(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    long v = Long.parseLong(s);
    return v > MAX_ID ? -1 : v;
  }
}
