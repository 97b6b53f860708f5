package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ExitCodeTest {

    @Test
    void codes_areDistinctAndStable() {
        assertEquals("0 1 2 3", String.join(" ", Arrays.stream(ExitCode.values())
            .map(c -> Integer.toString(c.code())).toList()));
    }

    @Test
    void forStartupFailure_portInUse_cannotListen() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0)); // all interfaces, as the app binds
            Config config = new Config(taken.getLocalPort(), LogLevel.INFO);
            IOException failure = assertThrows(IOException.class,
                () -> HelloApi.start(config, Routes.standard(), Duration.ofSeconds(1)));
            assertEquals(ExitCode.CANNOT_LISTEN, ExitCode.forStartupFailure(failure));
        }
    }

    @Test
    void forStartupFailure_bindExceptionDeepInCauses_cannotListen() {
        Exception failure = new RuntimeException("start failed",
            new IOException("Failed to bind to 0.0.0.0/0.0.0.0:80", new BindException("Permission denied")));
        assertEquals(ExitCode.CANNOT_LISTEN, ExitCode.forStartupFailure(failure));
    }

    @Test
    void forStartupFailure_bindExceptionSuppressed_cannotListen() {
        Exception failure = new IllegalStateException("start failed");
        failure.addSuppressed(new BindException("Address already in use"));
        assertEquals(ExitCode.CANNOT_LISTEN, ExitCode.forStartupFailure(failure));
    }

    @Test
    void forStartupFailure_configException_badConfig() {
        assertEquals(ExitCode.BAD_CONFIG, ExitCode.forStartupFailure(new ConfigException("PORT ...")));
    }

    @Test
    void forStartupFailure_anythingElse_unexpected() {
        assertEquals(ExitCode.UNEXPECTED, ExitCode.forStartupFailure(new IOException("Too many open files")));
        assertEquals(ExitCode.UNEXPECTED, ExitCode.forStartupFailure(new NoClassDefFoundError("org/eclipse/jetty/server/Server")));
    }

    @Test
    void forStartupFailure_causeCycle_terminates() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        assertEquals(ExitCode.UNEXPECTED, ExitCode.forStartupFailure(a));
    }
}
