package zero;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** No main method here: the goal must pick App. */
final class Packer {
  static int packedSize(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options())) {
      xz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.size();
  }
}
