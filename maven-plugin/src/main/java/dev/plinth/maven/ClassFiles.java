package dev.plinth.maven;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The compiled classes of a project (its output directory), read as far as finding main classes
 * and the class-file version needs: the constant pool, the class's name and its methods' names,
 * descriptors and flags. No bytecode library: a file that is not a well-formed class file (a
 * resource that happens to end in .class) is skipped.
 */
final class ClassFiles {
  /** Larger files are not read: no compiled class comes near. */
  static final long MAX_CLASS_FILE = 16L << 20;
  /** Class-file major version of Java 25, whose launcher takes JEP 512's main methods. */
  static final int JAVA_25 = 69;
  private static final int ACC_PUBLIC = 0x0001;
  private static final int ACC_PRIVATE = 0x0002;
  private static final int ACC_STATIC = 0x0008;
  private static final int ACC_ABSTRACT = 0x0400;
  private static final String MAIN_ARGS = "([Ljava/lang/String;)V";
  private static final String MAIN_NO_ARGS = "()V";

  /**
   * What a scan found.
   *
   * @param mains the classes with a main method the launcher runs, by name, sorted
   * @param maxMajor the highest class-file major version among the classes (0: no classes)
   */
  record Scan(List<String> mains, int maxMajor) {}

  /** One class file: its binary name, major version, and whether the launcher runs it. */
  record Info(String name, int major, boolean main) {}

  private final Path dir;
  private Scan scan;

  ClassFiles(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Reads every class file under the directory, once (a missing directory holds none). */
  synchronized Scan scan() throws PlinthException {
    if (scan != null) {
      return scan;
    }
    List<String> mains = new ArrayList<>();
    int max = 0;
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) s.sorted()::iterator) {
          if (!p.toString().endsWith(".class") || !Files.isRegularFile(p)
              || Files.size(p) > MAX_CLASS_FILE) {
            continue;
          }
          Info info = read(Files.readAllBytes(p));
          if (info != null) {
            max = Math.max(max, info.major());
            if (info.main()) {
              mains.add(info.name());
            }
          }
        }
      } catch (IOException e) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, "cannot read the classes in "
            + dir + ": " + e.getMessage(), e);
      }
    }
    mains.sort(null);
    scan = new Scan(List.copyOf(mains), max);
    return scan;
  }

  /**
   * Reads one class file; null when it is not one (bad magic, cut short, a malformed constant
   * pool), or is a module-info or package-info. Before Java 25 the launcher runs {@code public
   * static void main(String[])}; from class-file version 69 also JEP 512's forms: a non-private
   * {@code main(String[])} or {@code main()}, static or not.
   */
  static Info read(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      if (in.readInt() != 0xCAFEBABE) {
        return null;
      }
      in.readUnsignedShort(); // minor
      int major = in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] classNameIndex = new int[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 7 -> classNameIndex[i] = in.readUnsignedShort();
          case 8, 16, 19, 20 -> in.skipNBytes(2);
          case 15 -> in.skipNBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
          case 5, 6 -> {
            in.skipNBytes(8);
            i++; // a long or double takes two entries
          }
          default -> {
            return null;
          }
        }
      }
      in.readUnsignedShort(); // the class's access flags
      int self = in.readUnsignedShort();
      if (self <= 0 || self >= count || classNameIndex[self] <= 0
          || classNameIndex[self] >= count || utf8[classNameIndex[self]] == null) {
        return null;
      }
      String name = utf8[classNameIndex[self]].replace('/', '.');
      if (name.equals("module-info") || name.endsWith("package-info")) {
        return null;
      }
      in.readUnsignedShort(); // super class
      in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
      skipMembers(in); // fields
      boolean main = false;
      int methods = in.readUnsignedShort();
      for (int m = 0; m < methods; m++) {
        int access = in.readUnsignedShort();
        String methodName = entry(utf8, in.readUnsignedShort());
        String descriptor = entry(utf8, in.readUnsignedShort());
        skipAttributes(in);
        main |= "main".equals(methodName) && launches(access, descriptor, major);
      }
      return new Info(name, major, main);
    } catch (EOFException | UTFDataFormatException e) {
      return null;
    } catch (IOException e) {
      return null; // a byte array does not fail otherwise
    }
  }

  private static boolean launches(int access, String descriptor, int major) {
    if (major < JAVA_25) {
      return (access & (ACC_PUBLIC | ACC_STATIC)) == (ACC_PUBLIC | ACC_STATIC)
          && MAIN_ARGS.equals(descriptor);
    }
    return (access & (ACC_PRIVATE | ACC_ABSTRACT)) == 0
        && (MAIN_ARGS.equals(descriptor) || MAIN_NO_ARGS.equals(descriptor));
  }

  private static String entry(String[] utf8, int index) {
    return index > 0 && index < utf8.length ? utf8[index] : null;
  }

  private static void skipMembers(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    for (int i = 0; i < n; i++) {
      in.skipNBytes(6); // access, name, descriptor
      skipAttributes(in);
    }
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    for (int i = 0; i < n; i++) {
      in.skipNBytes(2);
      in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
    }
  }
}
