package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClasspathAssetsTest {
    @TempDir
    Path tmp;

    @Test
    void find_exampleAsset_isPackagedUnderMedia() {
        ClasspathAssets.Asset asset = new ClasspathAssets("media", getClass().getClassLoader()).find("example.txt").orElseThrow();
        assertEquals("example asset", new String(asset.bytes(), StandardCharsets.UTF_8));
        assertEquals("text/plain; charset=utf-8", asset.contentType());
    }

    @Test
    void find_inJar_fileFound_directoryNot() throws IOException {
        Path jar = tmp.resolve("assets.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("media/"));
            out.putNextEntry(new JarEntry("media/css/"));
            out.putNextEntry(new JarEntry("media/css/site.css"));
            out.write("body{}".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            ClasspathAssets assets = new ClasspathAssets("media", loader);
            ClasspathAssets.Asset css = assets.find("css/site.css").orElseThrow();
            assertArrayEquals("body{}".getBytes(StandardCharsets.UTF_8), css.bytes());
            assertEquals("text/css; charset=utf-8", css.contentType());
            assertTrue(assets.find("css").isEmpty(), "a directory is not a file");
            assertTrue(assets.find("css/missing.css").isEmpty());
        }
    }

    @Test
    void find_inDirectory_fileFound_directoryNotListed() throws IOException {
        Files.createDirectories(tmp.resolve("media/img"));
        Files.write(tmp.resolve("media/img/dot.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null)) {
            ClasspathAssets assets = new ClasspathAssets("media", loader);
            assertEquals("image/png", assets.find("img/dot.png").orElseThrow().contentType());
            assertTrue(assets.find("img").isEmpty(), "a directory is not a file");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "../secret.txt", "..", ".hidden", "a/../example.txt", "a//b.txt", "example.txt/",
        "/example.txt", "a/.git/config", "ex ample.txt", "ex%2Fample.txt", "ex\\ample.txt"})
    void find_unsafeOrOddNames_notFound(String name) throws IOException {
        Files.createDirectories(tmp.resolve("media/a"));
        Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.writeString(tmp.resolve("media/.hidden"), "hidden");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null)) {
            assertTrue(new ClasspathAssets("media", loader).find(name).isEmpty(), name);
        }
    }

    @Test
    void contentType_byExtension_defaultOctetStream() {
        assertEquals("application/json", ClasspathAssets.contentType("data.JSON"));
        assertEquals("text/html; charset=utf-8", ClasspathAssets.contentType("index.html"));
        assertEquals("application/octet-stream", ClasspathAssets.contentType("archive.tar"));
        assertEquals("application/octet-stream", ClasspathAssets.contentType("README"));
    }
}
