package hello;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

public final class Main {
  public static void main(String[] args) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options())) {
      xz.write("hello from plinth".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    System.out.println("hello: " + bytes.size() + " bytes of xz");
  }
}
