package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How many JVMs plinth runs beside its own at once. */
class ToolSlotsTest {
  private static final long MB = 1L << 20;

  @Test
  void slots_aGibEach_atLeastOne_atMostTheProcessors() {
    assertEquals(1, ToolSlots.slots(512 * MB, 2), "a container of 512 MB: one at a time");
    assertEquals(1, ToolSlots.slots(1536 * MB, 8));
    assertEquals(2, ToolSlots.slots(2048 * MB, 8));
    assertEquals(2, ToolSlots.slots(24L << 30, 2), "a large machine: one per processor");
    assertEquals(1, ToolSlots.slots(0, 4), "memory unknown: one");
    assertEquals(1, ToolSlots.slots(64L << 30, 0));
  }

  /** However many threads run tools, no more than the slots run at once, and every slot returns. */
  @Test
  void take_boundsTheRunsAtOnce_andClosingTwiceFreesOnce() throws Exception {
    int slots = ToolSlots.free();
    assertTrue(slots >= 1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(6);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Thread t = new Thread(() -> {
        try (ToolSlots.Slot s = ToolSlots.take("test run")) {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          Thread.sleep(20);
          running.decrementAndGet();
          s.close(); // closed twice: released once
        } catch (Exception e) {
          throw new AssertionError(e);
        } finally {
          done.countDown();
        }
      });
      t.start();
      threads.add(t);
    }
    assertTrue(done.await(60, TimeUnit.SECONDS));
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(most.get() <= slots, most + " at once with " + slots + " slots");
    assertEquals(slots, ToolSlots.free(), "every slot came back, none twice");
  }
}
