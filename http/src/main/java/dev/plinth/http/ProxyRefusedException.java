package dev.plinth.http;

import java.io.IOException;

/**
 * An HTTP proxy refused a CONNECT tunnel: {@link #status()} is its answer's status. Only a 5xx
 * (the proxy could not reach the origin, or was overloaded) may pass if tried again; a 407 or
 * 403 will not.
 */
public final class ProxyRefusedException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ProxyRefusedException(String message, int status) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** Whether another try may get through (the proxy answered 5xx). */
  public boolean isTransient() {
    return status >= 500;
  }
}
