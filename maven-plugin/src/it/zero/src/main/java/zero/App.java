package zero;

/** Says which Java runs it, and what a dependency made of its arguments. */
public final class App {
  public static void main(String[] args) throws Exception {
    System.out.println("zero on Java " + System.getProperty("java.specification.version") + ": "
        + Packer.packedSize(String.join(" ", args)) + " bytes of xz, user "
        + System.getProperty("user.name"));
  }
}
