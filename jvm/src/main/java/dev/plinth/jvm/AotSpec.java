package dev.plinth.jvm;

import java.util.List;
import java.util.Map;


/**
 * The training run of a JDK AOT cache: the image's java command runs on this machine (JDK 25
 * or later, the host's architecture) with {@code env} added; it is asked to stop with SIGTERM
 * once every URL of {@code get} was requested (the first is polled until the app answers),
 * or, with no URLs, it runs until it exits, at most {@code timeoutSeconds}.
 *
 * @param get http URLs on 127.0.0.1 or localhost, requested in order
 */
public record AotSpec(List<String> get, Map<String, String> env, int timeoutSeconds) {
  public static final int DEFAULT_TIMEOUT = 60;
  /** {@code aot: true}: run the app until it exits, at most a minute. */
  public static final AotSpec DEFAULT = new AotSpec(List.of(), Map.of(), DEFAULT_TIMEOUT);

  public AotSpec {
    get = List.copyOf(get);
    env = Map.copyOf(env);
  }

  /** Whether {@code url} is an http URL on 127.0.0.1 or localhost (with no user info). */
  public static boolean isLoopbackHttp(String url) {
    try {
      java.net.URI u = new java.net.URI(url);
      return "http".equals(u.getScheme()) && u.getRawUserInfo() == null
          && ("127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost()));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
