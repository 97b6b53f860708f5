package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.plinth.examples.hello.TestClient.Reply;
import dev.plinth.examples.hello.TestClient.Transport;

/** Every endpoint, over HTTP/1.1, h2c by upgrade and h2c by prior knowledge, against a real server. */
class HelloApiTest {
    private static HelloApi api;
    private TestClient client;

    @BeforeAll
    static void startServer() throws IOException {
        api = HelloApi.start(new Config(0, LogLevel.DEBUG));
    }

    @AfterAll
    static void stopServer() {
        api.stop();
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    private Reply send(Transport transport, String method, String path) throws Exception {
        client = client != null ? client : TestClient.of(transport);
        return client.send(method, URI.create("http://127.0.0.1:" + api.port() + path));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void getRoot_returnsUserJson(Transport transport) throws Exception {
        Reply reply = send(transport, "GET", "/");
        assertEquals(200, reply.status());
        assertEquals(transport.protocol, reply.protocol());
        assertEquals("application/json", reply.contentType());
        assertEquals("{\"name\":\"alice\",\"email\":\"alice@outlook.com\"}", reply.body());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void getMediaExample_returnsStaticFile(Transport transport) throws Exception {
        Reply reply = send(transport, "GET", "/media/example.txt");
        assertEquals(200, reply.status());
        assertEquals(transport.protocol, reply.protocol());
        assertEquals("text/plain; charset=utf-8", reply.contentType());
        assertEquals("example asset", reply.body());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void getHealthz_ok(Transport transport) throws Exception {
        Reply reply = send(transport, "GET", "/healthz");
        assertEquals(200, reply.status());
        assertEquals(transport.protocol, reply.protocol());
        assertEquals("ok", reply.body());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownPaths_404Json(Transport transport) throws Exception {
        for (String path : new String[] {"/nope", "/healthz/", "/media", "/media/", "/media/missing.txt",
            "/jetty-logging.properties", "/media/.hidden", "/index.html"}) {
            Reply reply = send(transport, "GET", path);
            assertEquals(404, reply.status(), path);
            assertEquals(transport.protocol, reply.protocol(), path);
            assertEquals("application/json", reply.contentType(), path);
            assertEquals("{\"error\":\"not found\"}", reply.body(), path);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void traversalAttempts_neverServeAFile(Transport transport) throws Exception {
        for (String path : new String[] {"/media/../jetty-logging.properties", "/media/%2e%2e/jetty-logging.properties",
            "/media/..%2fjetty-logging.properties", "/media/%2Fetc%2Fpasswd", "/media//example.txt"}) {
            Reply reply = send(transport, "GET", path);
            if (reply.status() == 400) { // Jetty refuses ambiguous URIs before routing
                assertEquals("{\"error\":\"bad request\"}", reply.body(), path);
            } else {
                assertEquals(404, reply.status(), path);
            }
            assertEquals("application/json", reply.contentType(), path);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void otherMethods_405WithAllow(Transport transport) throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
            for (String path : new String[] {"/", "/healthz", "/media/example.txt"}) {
                Reply reply = send(transport, method, path);
                assertEquals(405, reply.status(), method + " " + path);
                assertEquals("GET, HEAD", reply.allow(), method + " " + path);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unknownPath_anyMethod_404(Transport transport) throws Exception {
        assertEquals(404, send(transport, "POST", "/nope").status());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void head_headersWithoutBody(Transport transport) throws Exception {
        Reply reply = send(transport, "HEAD", "/");
        assertEquals(200, reply.status());
        assertEquals("application/json", reply.contentType());
        assertEquals("44", reply.contentLength());
        assertEquals("", reply.body());
    }

    /** curl --http2-prior-knowledge, byte for byte: the connection preface on a fresh socket. */
    @Test
    void priorKnowledgePreface_answeredWithHttp2Settings() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] header = in.readNBytes(9);
            assertEquals(9, header.length);
            assertEquals(4, header[3], "first frame from the server is SETTINGS");
        }
    }

    @Test
    void listensOnAllInterfaces_ipv4AndIpv6Loopback() throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), api.port())) {
            assertEquals(api.port(), socket.getPort());
        }
        InetAddress ipv6 = InetAddress.getByName("::1");
        Assumptions.assumeTrue(ipv6 instanceof Inet6Address && hasIpv6Loopback(), "no IPv6 loopback here");
        try (Socket socket = new Socket(ipv6, api.port())) {
            assertEquals(api.port(), socket.getPort());
        }
    }

    @Test
    void response_hasNoServerHeader() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200 OK", response.lines().findFirst().orElseThrow());
            assertNull(Stream.of(response.split("\r\n")).filter(l -> l.toLowerCase(Locale.ROOT).startsWith("server:")).findAny().orElse(null));
        }
    }

    private static boolean hasIpv6Loopback() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
