package dev.plinth.http;

import java.io.IOException;

/**
 * A redirect that is not followed: a loop, too many hops, a Location that is no http(s) URL, or
 * HTTPS to plain HTTP. Trying again gets the same answer, so callers do not retry it.
 */
public final class RedirectException extends IOException {
  private static final long serialVersionUID = 1L;

  public RedirectException(String message) {
    super(message);
  }
}
