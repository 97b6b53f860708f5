package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.http.DeadlineException;
import dev.plinth.http.Response;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * What a registry's failures say: an error answer by its status and the OCI error it carries, a
 * TLS failure with what to do about it, an I/O failure in a few words. Credentials and tokens
 * appear in no message: they name the host, the path (without its query) and the status.
 */
final class Failures {
  static final int MAX_ERROR_BODY = 4096;

  private final RegistryHttp http;
  private final Supplier<String> realmHint;

  /** @param realmHint why credentials may not have reached the token server, or "" */
  Failures(RegistryHttp http, Supplier<String> realmHint) {
    this.http = http;
    this.realmHint = realmHint;
  }

  /** The failure for an unexpected answer, by status, naming {@code what}. */
  PlinthException fail(Response resp, String what) {
    int s = resp.status();
    String detail = errorDetail(resp);
    String base = what + ": HTTP " + s + (detail.isEmpty() ? "" : " (" + detail + ")");
    Credentials creds = http.credentials();
    PlinthException.Kind access = http.access();
    return switch (s) {
      case 401 -> new PlinthException(access, base + ": authentication failed; "
          + (creds == null ? "no credentials were found for " + http.refHost + "; " + loginHint()
              : "the credentials from " + creds.where() + " were refused") + realmHint.get());
      case 403 -> new PlinthException(access, base + ": access denied"
          + (creds == null ? "; " + loginHint() : " to " + creds.username()
              + "; check the account's permissions on the repository") + realmHint.get());
      case 404 -> new PlinthException(access, base + ": not found");
      case 413 -> new PlinthException(PlinthException.Kind.OUTPUT, base
          + ": the registry refused it as too large");
      default -> new PlinthException(access, base + (Attempts.retryableStatus(s)
          ? ": the registry is unavailable; still failing after " + http.options.attempts()
              + " tries"
          : ""));
    };
  }

  String loginHint() {
    return "log in with docker login " + http.refHost + ", or give --creds USER:PASSWORD or"
        + " PLINTH_REGISTRY_USER and PLINTH_REGISTRY_PASSWORD";
  }

  /** A TLS failure: the host, the JDK's reason, and what to do about it. */
  PlinthException tls(SSLException e, URI uri) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, uri.getHost()
        + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + ": the TLS connection failed: "
        + clean(String.valueOf(rootMessage(e))) + ". If the registry uses a private CA, put its"
        + " certificate in /etc/containers/certs.d/" + http.host + "/ca.crt (with client.cert"
        + " and client.key if it asks for a client certificate) or give it in"
        + " PLINTH_REGISTRY_CA=FILE.pem; for a test registry only, --insecure " + http.host, e);
  }

  /**
   * A request that got no usable answer: its method and URL (no query), what it was for, and why,
   * with the attempts made ("no complete answer within the 60 s deadline for documents (3
   * attempts)").
   */
  PlinthException unreachable(IOException e, String method, URI uri, String what, Attempts a) {
    String where = method + " " + uri.getScheme() + "://" + uri.getAuthority() + uri.getPath()
        + (what.isEmpty() ? "" : " (" + what + ")");
    return new PlinthException(http.access(), where + ": " + a.outcome(e), e);
  }

  /** The OCI error code and message of an error answer, cleaned for a one-line message. */
  static String errorDetail(Response resp) {
    byte[] body;
    try (InputStream in = resp.body()) {
      body = in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      return "";
    }
    try {
      JsonNode e = Json.readAny(body, "the error").path("errors").path(0);
      if (!e.isMissingNode()) {
        String m = e.path("code").asText("") + " " + e.path("message").asText("");
        return clean(m.trim());
      }
    } catch (PlinthException | RuntimeException ignored) {
      // not JSON: say nothing of it
    }
    return "";
  }

  /** Printable ASCII only, at most 200 characters: a registry's text in a one-line message. */
  static String clean(String s) {
    String c = s.replaceAll("[^\\x20-\\x7e]", "?");
    return c.length() > 200 ? c.substring(0, 200) + "..." : c;
  }

  /** An I/O failure in a few words. */
  static String describe(IOException e) {
    if (e instanceof DeadlineException) {
      return clean(e.getMessage());
    }
    if (e instanceof ConnectException) {
      return "cannot connect (connection refused or unreachable)";
    }
    if (e instanceof SocketTimeoutException) {
      return "timed out" + (e.getMessage() == null || e.getMessage().startsWith("Read timed out")
          ? "" : " (" + clean(e.getMessage()) + ")");
    }
    if (e instanceof UnknownHostException) {
      return "unknown host";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : clean(m);
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  static boolean isCertificateProblem(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException
          || c instanceof java.security.GeneralSecurityException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
