import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes where a JFR recording (settings=profile) spent its time: samples of threads in Java
 * code (jdk.ExecutionSample, every 10 ms) and in native code (jdk.NativeMethodSample, every 20 ms)
 * are weighted by their period, so both read as CPU-ish milliseconds per thread. Prints the top
 * frames (self), the plinth methods those samples were made for (the plinth frame nearest the top
 * of the stack), the top plinth methods (inclusive: each on a sample's stack counts once), the
 * threads, GC pauses, classes loaded, and the file calls that blocked 10 ms or more (fsync, read,
 * write: time a thread waits is not sampled).
 *
 * <p>java JfrTop.java RECORDING.jfr [TOP=12]
 */
public final class JfrTop {
  public static void main(String[] args) throws IOException {
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> plinth = new HashMap<>();
    Map<String, Long> nearest = new HashMap<>();
    Map<String, Long> threads = new HashMap<>();
    long javaMs = 0;
    long nativeMs = 0;
    long gcCount = 0;
    Duration gcPause = Duration.ZERO;
    long classes = 0;
    Map<String, Duration> io = new HashMap<>();
    Map<String, Long> ioCount = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      String type = e.getEventType().getName();
      switch (type) {
        case "jdk.ExecutionSample", "jdk.NativeMethodSample" -> {
          long ms = type.equals("jdk.ExecutionSample") ? 10 : 20;
          if (ms == 10) {
            javaMs += ms;
          } else {
            nativeMs += ms;
          }
          RecordedStackTrace st = e.getStackTrace();
          String thread = e.getThread("sampledThread") == null ? "?"
              : e.getThread("sampledThread").getJavaName();
          threads.merge(thread, ms, Long::sum);
          if (st == null || st.getFrames().isEmpty()) {
            continue;
          }
          List<RecordedFrame> frames = st.getFrames();
          self.merge(name(frames.get(0)), ms, Long::sum);
          Set<String> seen = new HashSet<>();
          for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("dev.plinth.") && seen.add(n)) {
              if (seen.size() == 1) {
                nearest.merge(n, ms, Long::sum);
              }
              plinth.merge(n, ms, Long::sum);
            }
          }
        }
        case "jdk.GarbageCollection" -> {
          gcCount++;
          gcPause = gcPause.plus(e.getDuration("sumOfPauses"));
        }
        case "jdk.ClassLoadingStatistics" ->
            classes = Math.max(classes, e.getLong("loadedClassCount"));
        case "jdk.FileForce", "jdk.FileRead", "jdk.FileWrite" -> {
          io.merge(type, e.getDuration(), Duration::plus);
          ioCount.merge(type, 1L, Long::sum);
        }
        default -> { }
      }
    }
    long total = javaMs + nativeMs;
    System.out.printf("    sampled: %d ms in Java code, %d ms in native code (all threads);"
        + " GC: %d collections, %d ms paused%s%n", javaMs, nativeMs, gcCount, gcPause.toMillis(),
        classes > 0 ? "; " + classes + " classes loaded" : "");
    System.out.printf("    blocking file calls of 10 ms or more: fsync %d ms (%d), read %d ms (%d),"
        + " write %d ms (%d)%n",
        io.getOrDefault("jdk.FileForce", Duration.ZERO).toMillis(),
        ioCount.getOrDefault("jdk.FileForce", 0L),
        io.getOrDefault("jdk.FileRead", Duration.ZERO).toMillis(),
        ioCount.getOrDefault("jdk.FileRead", 0L),
        io.getOrDefault("jdk.FileWrite", Duration.ZERO).toMillis(),
        ioCount.getOrDefault("jdk.FileWrite", 0L));
    print("top frames (self time)", self, total, top);
    print("by the plinth method nearest the top of the stack", nearest, total, top);
    print("top plinth methods (inclusive)", plinth, total, top);
    print("threads", threads, total, 5);
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Long> m, long total, int top) {
    System.out.println("    " + title + ":");
    List<Map.Entry<String, Long>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.<String, Long>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey()));
    for (Map.Entry<String, Long> x : l.subList(0, Math.min(top, l.size()))) {
      System.out.printf("      %6d ms %3d%%  %s%n", x.getValue(),
          total == 0 ? 0 : Math.round(100.0 * x.getValue() / total), x.getKey());
    }
  }
}
