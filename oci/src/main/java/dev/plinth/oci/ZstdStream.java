package dev.plinth.oci;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decompresses zstd that may be hostile. aircompressor's decoder reports some corrupt frames with
 * runtime exceptions (its MalformedInputException, and an ArrayIndexOutOfBoundsException that
 * fuzzing found in a corrupt sequences section); here every one of them is a BAD_INPUT failure
 * naming the input, as a corrupt gzip or xz stream is. Used for zstd layers and .deb members.
 */
public final class ZstdStream extends BulkFilterInputStream {
  private final String what;

  /** @param what names the compressed input in errors */
  public ZstdStream(InputStream in, String what) {
    super(new ZstdInputStream(in));
    this.what = what;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return in.read(b, off, len);
    } catch (RuntimeException e) { // the decoder's own: nothing else runs under this read
      throw new StreamFailure(PlinthException.Kind.BAD_INPUT, what + " is not valid zstd data: "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
  }
}
