package dev.plinth.examples.hello;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The API, the same as the reference Flask app:
 * <pre>
 * GET /                   {"name":"alice","email":"alice@outlook.com"}
 * GET /media/&lt;file&gt;       a static file, from the classpath folder media/
 * GET /healthz            ok
 * </pre>
 * Every route answers GET and HEAD; any other method gets 405 with an Allow header, an
 * unknown path 404.
 */
public final class Routes extends Handler.Abstract {
    static final String USER_JSON = "{\"name\":\"alice\",\"email\":\"alice@outlook.com\"}";
    static final String MEDIA_PREFIX = "/media/";

    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final HttpField ALLOW = new PreEncodedHttpField(HttpHeader.ALLOW, "GET, HEAD");
    private static final HttpField NOSNIFF = new PreEncodedHttpField("X-Content-Type-Options", "nosniff");
    private static final byte[] USER = USER_JSON.getBytes(StandardCharsets.UTF_8);
    private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NOT_FOUND = error(HttpStatus.NOT_FOUND_404);
    private static final byte[] NOT_ALLOWED = error(HttpStatus.METHOD_NOT_ALLOWED_405);

    private final ClasspathAssets media;

    public Routes(ClasspathAssets media) {
        this.media = media;
    }

    /** The app's routes, with static files from the classpath folder {@code media/}. */
    public static Routes standard() {
        return new Routes(new ClasspathAssets("media", Routes.class.getClassLoader()));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        boolean known = path.equals("/") || path.equals("/healthz") || path.startsWith(MEDIA_PREFIX);
        if (!known) {
            return send(request, response, callback, HttpStatus.NOT_FOUND_404, JSON, NOT_FOUND);
        }
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(ALLOW);
            return send(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, JSON, NOT_ALLOWED);
        }
        if (path.equals("/")) {
            return send(request, response, callback, HttpStatus.OK_200, JSON, USER);
        }
        if (path.equals("/healthz")) {
            return send(request, response, callback, HttpStatus.OK_200, TEXT, OK);
        }
        Optional<ClasspathAssets.Asset> asset = media.find(path.substring(MEDIA_PREFIX.length()));
        if (asset.isEmpty()) {
            return send(request, response, callback, HttpStatus.NOT_FOUND_404, JSON, NOT_FOUND);
        }
        return send(request, response, callback, HttpStatus.OK_200, asset.get().contentType(), asset.get().bytes());
    }

    /**
     * Answers every error Jetty raises itself (400 for a malformed or ambiguous URI, 503 while
     * stopping, ...) in the same JSON shape as the API's own 404 and 405, and never echoes the
     * request back.
     */
    static Request.Handler errorHandler() {
        return (request, response, callback) ->
            send(request, response, callback, response.getStatus(), JSON, error(response.getStatus()));
    }

    /** {"error":"not found"}: the status's reason phrase, in lower case. */
    static byte[] error(int status) {
        String reason = HttpStatus.getMessage(status).toLowerCase(Locale.ROOT);
        return ("{\"error\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a whole response with its Content-Length; a HEAD response has the headers only. */
    private static boolean send(Request request, Response response, Callback callback,
                                int status, String contentType, byte[] body) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, contentType);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        headers.put(NOSNIFF);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
        return true;
    }
}
