package dev.plinth.examples.hello;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a stop request instead of the JVM's default, which runs the
 * shutdown hooks and then exits with 128 + signal (143, 130) however cleanly the app stopped.
 * With these handlers the app stops its server on its own thread and exits 0.
 *
 * <p>{@code sun.misc.Signal} is in the {@code jdk.unsupported} module, which the JDK keeps
 * for exactly such uses (JEP 260). It is the only JDK API that replaces the default action.
 */
final class StopSignals {
    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT");

    private StopSignals() {
    }

    /**
     * Routes SIGTERM and SIGINT to {@code onSignal}, which gets the signal's name (SIGTERM).
     *
     * @return the signals now handled; one can be missing when the JVM runs with -Xrs or
     *     reserves it, and then the JVM's default action stays
     */
    static List<String> install(Consumer<String> onSignal) {
        List<String> installed = new ArrayList<>();
        for (String name : STOP_SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> onSignal.accept("SIG" + signal.getName()));
                installed.add("SIG" + name);
            } catch (IllegalArgumentException e) {
                // reserved by the JVM or ignored (-Xrs): keep the default
            }
        }
        return installed;
    }
}
