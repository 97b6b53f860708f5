package dev.plinth.oci;

/**
 * One tar header. {@code name} is relative, without a leading slash; directories end with '/'.
 *
 * @param mode permission bits including setuid/setgid/sticky (e.g. 01777)
 * @param mtime seconds since the epoch
 */
public record TarEntry(
    String name, Type type, int mode, long uid, long gid, long size, String linkTarget, long mtime) {

  /** The tar entry types plinth writes and reads. */
  public enum Type {
    FILE('0'),
    HARDLINK('1'),
    SYMLINK('2'),
    CHAR_DEVICE('3'),
    BLOCK_DEVICE('4'),
    DIRECTORY('5'),
    FIFO('6');

    final char flag;

    Type(char flag) {
      this.flag = flag;
    }

    static Type of(char flag) {
      for (Type t : values()) {
        if (t.flag == flag) {
          return t;
        }
      }
      return flag == '\0' || flag == '7' ? FILE : null;
    }
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }
}
