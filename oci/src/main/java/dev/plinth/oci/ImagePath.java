package dev.plinth.oci;

/** Paths inside an image: absolute, normalized, never escaping the root. */
public final class ImagePath {
  /**
   * Normalizes {@code /a//b/} to {@code a/b} (relative to the image root, no trailing slash).
   *
   * @throws IllegalArgumentException when the path is empty, relative, or has '.', '..', a
   *     backslash or a NUL in it
   */
  public static String normalize(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("'" + path + "' is not an absolute path in the image");
    }
    if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("'" + path + "' has a NUL or a backslash in it");
    }
    if (plain(path)) {
      return path.substring(1);
    }
    StringBuilder sb = new StringBuilder();
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("'" + path + "' has a '" + part + "' segment");
      }
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    if (sb.length() == 0) {
      throw new IllegalArgumentException("'" + path + "' names the image root, not a file");
    }
    return sb.toString();
  }

  /**
   * Whether {@code path} (absolute, without NUL or backslash) is already normalized but for its
   * leading slash: no empty, "." or ".." segment, no trailing slash. Most are: one pass over the
   * characters settles it.
   */
  private static boolean plain(String path) {
    int n = path.length();
    int start = 1; // of the current segment
    for (int i = 1; i <= n; i++) {
      if (i == n || path.charAt(i) == '/') {
        int len = i - start;
        if (len == 0 || (len == 1 && path.charAt(start) == '.')
            || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  /** The parent of a normalized path, or null at the top. */
  public static String parent(String normalized) {
    int i = normalized.lastIndexOf('/');
    return i < 0 ? null : normalized.substring(0, i);
  }

  private ImagePath() {}
}
