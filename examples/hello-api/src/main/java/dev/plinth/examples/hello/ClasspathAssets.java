package dev.plinth.examples.hello;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Static files under one classpath folder, read when asked. Only plain names are served
 * (letters, digits, {@code . _ -}, not starting with a dot, in folders of the same), so no
 * request can climb out of the folder, reach a hidden file, or list a directory.
 * Reading uses the JDK's own jar support: no zip file system is mounted.
 */
public final class ClasspathAssets {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.ofEntries(
        Map.entry("txt", "text/plain; charset=utf-8"),
        Map.entry("html", "text/html; charset=utf-8"),
        Map.entry("css", "text/css; charset=utf-8"),
        Map.entry("js", "text/javascript; charset=utf-8"),
        Map.entry("json", "application/json"),
        Map.entry("svg", "image/svg+xml"),
        Map.entry("png", "image/png"),
        Map.entry("jpg", "image/jpeg"),
        Map.entry("jpeg", "image/jpeg"),
        Map.entry("gif", "image/gif"),
        Map.entry("webp", "image/webp"),
        Map.entry("ico", "image/x-icon"),
        Map.entry("woff2", "font/woff2"),
        Map.entry("pdf", "application/pdf"));
    private static final String DEFAULT_TYPE = "application/octet-stream";

    /** A file's bytes and the Content-Type its extension calls for. */
    public record Asset(byte[] bytes, String contentType) {
    }

    private final String folder;
    private final ClassLoader loader;

    /** @param folder a classpath folder such as {@code media}, without slashes at either end */
    public ClasspathAssets(String folder, ClassLoader loader) {
        this.folder = folder;
        this.loader = loader;
    }

    /** The file at {@code name} inside the folder, or empty if there is no such regular file. */
    public Optional<Asset> find(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        URL url = loader.getResource(folder + "/" + name);
        if (url == null) {
            return Optional.empty();
        }
        try {
            URLConnection connection = url.openConnection();
            if (!isRegularFile(url, connection)) {
                return Optional.empty();
            }
            try (InputStream in = connection.getInputStream()) {
                return Optional.of(new Asset(in.readAllBytes(), contentType(name)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath asset " + folder + "/" + name, e);
        }
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, DEFAULT_TYPE);
    }

    private static boolean isRegularFile(URL url, URLConnection connection) throws IOException {
        if (connection instanceof JarURLConnection jar) {
            return !jar.getJarEntry().isDirectory();
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Files.isRegularFile(Path.of(url.toURI()));
            } catch (URISyntaxException e) {
                return false;
            }
        }
        return false;
    }
}
