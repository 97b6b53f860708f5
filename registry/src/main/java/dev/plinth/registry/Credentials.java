package dev.plinth.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password (or token) for a registry. {@link #toString()} never shows the secret,
 * so a credential that ends up in a message or a log line shows as {@code user:***}.
 *
 * @param where where it came from, for messages: "--creds", "~/.docker/config.json", ...
 */
public record Credentials(String username, String secret, String where) {
  public Credentials {
    if (username == null || secret == null) {
      throw new IllegalArgumentException("credentials need a user name and a secret");
    }
  }

  /**
   * Parses {@code USER:PASSWORD} as given to {@code --creds}.
   *
   * @throws IllegalArgumentException (without the text, which holds a secret) when it has no colon
   */
  public static Credentials parse(String userColonSecret, String where) {
    int c = userColonSecret.indexOf(':');
    if (c <= 0) {
      throw new IllegalArgumentException(where + " must be USER:PASSWORD");
    }
    return new Credentials(userColonSecret.substring(0, c), userColonSecret.substring(c + 1), where);
  }

  String basicHeader() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return username + ":*** (from " + where + ")";
  }
}
