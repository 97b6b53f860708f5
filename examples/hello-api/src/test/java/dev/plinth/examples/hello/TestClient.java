package dev.plinth.examples.hello;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;

/** A real HTTP client over one of the three ways the server is reached. */
abstract class TestClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    enum Transport {
        /** The JDK client, HTTP/1.1. */
        HTTP_1_1("HTTP/1.1"),
        /** The JDK client, HTTP/2 on http://: an HTTP/1.1 request with Upgrade: h2c. */
        H2C_UPGRADE("HTTP/2"),
        /** Jetty's client, HTTP/2 from the first byte (like curl --http2-prior-knowledge). */
        H2C_PRIOR_KNOWLEDGE("HTTP/2");

        final String protocol;

        Transport(String protocol) {
            this.protocol = protocol;
        }
    }

    /** What the tests look at in a response. */
    record Reply(int status, String protocol, String contentType, String contentLength, String allow, String body) {
    }

    static TestClient of(Transport transport) throws Exception {
        return switch (transport) {
            case HTTP_1_1 -> new Jdk(HttpClient.Version.HTTP_1_1);
            case H2C_UPGRADE -> new Jdk(HttpClient.Version.HTTP_2);
            case H2C_PRIOR_KNOWLEDGE -> new JettyH2c();
        };
    }

    abstract Reply send(String method, URI uri) throws Exception;

    abstract CompletableFuture<Reply> sendAsync(String method, URI uri);

    @Override
    public void close() {
    }

    private static final class Jdk extends TestClient {
        private final HttpClient client;

        Jdk(HttpClient.Version version) {
            client = HttpClient.newBuilder().version(version).connectTimeout(TIMEOUT).build();
        }

        @Override
        Reply send(String method, URI uri) throws IOException, InterruptedException {
            return reply(client.send(request(method, uri), HttpResponse.BodyHandlers.ofString()));
        }

        @Override
        CompletableFuture<Reply> sendAsync(String method, URI uri) {
            return client.sendAsync(request(method, uri), HttpResponse.BodyHandlers.ofString()).thenApply(Jdk::reply);
        }

        private static HttpRequest request(String method, URI uri) {
            return HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build();
        }

        private static Reply reply(HttpResponse<String> r) {
            return new Reply(r.statusCode(),
                r.version() == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1",
                r.headers().firstValue("content-type").orElse(null),
                r.headers().firstValue("content-length").orElse(null),
                r.headers().firstValue("allow").orElse(null),
                r.body());
        }
    }

    private static final class JettyH2c extends TestClient {
        private final org.eclipse.jetty.client.HttpClient client;

        JettyH2c() throws Exception {
            client = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
            client.start();
        }

        @Override
        Reply send(String method, URI uri) throws Exception {
            return reply(client.newRequest(uri).method(method).timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).send());
        }

        @Override
        CompletableFuture<Reply> sendAsync(String method, URI uri) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return send(method, uri);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
        }

        private static Reply reply(ContentResponse r) {
            return new Reply(r.getStatus(),
                r.getVersion() == HttpVersion.HTTP_2 ? "HTTP/2" : r.getVersion().asString(),
                r.getHeaders().get("content-type"),
                r.getHeaders().get("content-length"),
                r.getHeaders().get("allow"),
                r.getContentAsString());
        }

        @Override
        public void close() {
            try {
                client.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the HTTP/2 client", e);
            }
        }
    }
}
