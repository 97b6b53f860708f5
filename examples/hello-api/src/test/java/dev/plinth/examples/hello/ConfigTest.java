package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    @Test
    void fromEnv_nothingSet_defaults() throws ConfigException {
        assertEquals(new Config(8080, LogLevel.INFO), Config.fromEnv(Map.of()));
    }

    @Test
    void fromEnv_emptyValues_defaults() throws ConfigException {
        assertEquals(new Config(8080, LogLevel.INFO), Config.fromEnv(Map.of("PORT", "", "LOGLEVEL", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "80", "8080", "65535", "00080"})
    void fromEnv_validPort_taken(String port) throws ConfigException {
        assertEquals(Integer.parseInt(port), Config.fromEnv(Map.of("PORT", port)).port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "99999999999", " 8080", "8080 ", "+80", "0x50", "80.0", "８０"})
    void fromEnv_badPort_failsNamingTheValue(String port) {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(Map.of("PORT", port)));
        assertEquals("PORT must be a whole number from 0 to 65535, got \"" + port + "\"", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "INFO", "Info"})
    void fromEnv_logLevelInfo_anyCase(String level) throws ConfigException {
        assertEquals(LogLevel.INFO, Config.fromEnv(Map.of("LOGLEVEL", level)).logLevel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"debug", "DEBUG"})
    void fromEnv_logLevelDebug_anyCase(String level) throws ConfigException {
        assertEquals(LogLevel.DEBUG, Config.fromEnv(Map.of("LOGLEVEL", level)).logLevel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"verbose", "warn", "error", "trace", " debug", "1"})
    void fromEnv_badLogLevel_failsNamingTheValue(String level) {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnv(Map.of("LOGLEVEL", level)));
        assertEquals("LOGLEVEL must be info or debug, got \"" + level + "\"", e.getMessage());
    }

    @Test
    void fromEnv_bothBad_oneMessageNamingBoth() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> Config.fromEnv(Map.of("PORT", "http", "LOGLEVEL", "loud")));
        assertTrue(e.getMessage().contains("PORT") && e.getMessage().contains("LOGLEVEL"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
