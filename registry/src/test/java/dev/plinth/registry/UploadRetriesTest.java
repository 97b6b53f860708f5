package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A blob upload's tries share one budget (BlobUpload): a number of tries in all, whatever broke
 * off (a dropped connection, 5xx, 416), and none once the idle time has passed since the upload
 * last moved; the failure says how many tries were made, at which byte and what the last met.
 * Before, a PUT or chunk answered 503 was not tried again and the message claimed 5 tries.
 */
class UploadRetriesTest extends TwoRegistriesTest {
  /** 3 tries, 10 ms apart; chunks of 1 KiB. */
  static RegistryOptions opts() {
    return HostileRegistryTest.opts().withRetries(3, Duration.ofMillis(10), Duration.ofSeconds(1))
        .withChunkSize(1024);
  }

  private static boolean answer(com.sun.net.httpserver.HttpExchange ex, int status)
      throws IOException {
    FakeRegistry.drain(ex);
    ex.sendResponseHeaders(status, -1);
    return true;
  }

  @Test
  void wholeBlobPut_answered503_isTriedAgain_andSucceeds() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    reg.hook = (ex, s) -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/")
        && puts.getAndIncrement() == 0 && answer(ex, 503);
    ImageIndex idx = TestImages.single(70, 500);
    RegistrySink.push(idx, ref("a/b:1"), opts());
    Layer l = idx.images().get(0).layers().get(0);
    assertArrayEquals(HostileRegistryTest.readAll(l.blob()),
        reg.blobs.get(l.blob().descriptor().digest().toString()));
  }

  @Test
  void wholeBlobPut_always503_failsAfterTheTries_sayingWhatWasTried() throws Exception {
    reg.hook = (ex, s) -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/")
        && answer(ex, 503);
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(71, 500), ref("a/b:1"), opts().withParallel(1)));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().endsWith(": the upload broke off: HTTP 503 (after 3 tries); each"
        + " try in a new session"), e.getMessage());
    // one blob at a time: the first fails the push after its three tries, each in a new session
    assertEquals(3, reg.count("PUT", "/blobs/uploads/"), reg.lines().toString());
    assertEquals(3, reg.count("POST", "/blobs/uploads/"), reg.lines().toString());
  }

  @Test
  void chunks_droppedOrRefused_shareOneBudget_andTheFailureNamesTheByte() throws Exception {
    AtomicInteger patches = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (!s.method().equals("PATCH")) {
        return false;
      }
      int n = patches.getAndIncrement();
      if (n == 0) {
        return false; // the first chunk goes in
      }
      if (n % 2 == 1) {
        return answer(ex, 416);
      }
      ex.getRequestBody().readNBytes(100);
      throw new IOException("drop"); // the connection closes mid-chunk
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(72, 5000), ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().contains(": the upload broke off at byte 1024 of 5000: "),
        e.getMessage());
    assertTrue(e.getMessage().contains("(after 3 tries); each try went on where the registry"
        + " said the upload stood, or in a new session"), e.getMessage());
    assertEquals(2, reg.count("GET", "/blobs/uploads/"),
        "before each of the 2 tries after the first, where the upload stood: " + reg.lines());
  }

  @Test
  void aTryThatWouldStartPastTheIdleTime_isNotMade_andTheFailureSaysWhy() throws Exception {
    RegistryOptions o = opts().withRetries(5, Duration.ofSeconds(2), Duration.ofSeconds(2))
        .withDeadlines(new RegistryOptions.Deadlines(Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500)));
    reg.hook = (ex, s) -> s.method().equals("PUT") && s.path().contains("/blobs/uploads/")
        && answer(ex, 503);
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(73, 500), ref("a/b:1"), o));
    assertTrue(e.getMessage().endsWith(": the upload broke off: HTTP 503 (1 attempt; a blob is"
        + " not tried again 500 ms after its start or last byte)"), e.getMessage());
    assertTrue(reg.count("PUT", "/blobs/uploads/") <= 2, "one try for each of the two blobs: "
        + reg.lines());
  }
}
