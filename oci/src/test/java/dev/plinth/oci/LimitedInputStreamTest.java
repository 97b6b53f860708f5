package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class LimitedInputStreamTest {
  private static InputStream bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return new ByteArrayInputStream(b);
  }

  @Test
  void cut_givesTheFirstBytes_orLessWhenTheStreamEnds() throws Exception {
    assertArrayEquals(new byte[] {0, 1, 2}, LimitedInputStream.cut(bytes(10), 3).readAllBytes());
    assertEquals(2, LimitedInputStream.cut(bytes(2), 3).readAllBytes().length);
    InputStream s = LimitedInputStream.cut(bytes(10), 5);
    assertEquals(5, s.skip(100), "skip stops at the limit");
    assertEquals(-1, s.read());
  }

  @Test
  void endsEarly_andGoesOn_failWithTheirMessages() {
    EOFException early = assertThrows(EOFException.class,
        () -> new LimitedInputStream(bytes(2), 3, "ended early", null).readAllBytes());
    assertEquals("ended early", early.getMessage());
    EOFException more = assertThrows(EOFException.class,
        () -> new LimitedInputStream(bytes(4), 3, null, "more than 3 bytes").readAllBytes());
    assertEquals("more than 3 bytes", more.getMessage());
  }

  @Test
  void exactlyTheLimit_isFineEitherWay() throws Exception {
    assertEquals(3, new LimitedInputStream(bytes(3), 3, "early", "more").readAllBytes().length);
  }
}
