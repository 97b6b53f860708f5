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

  /** The user name under which Docker stores an OAuth2 identity (refresh) token. */
  static final String IDENTITY_TOKEN_USER = "<token>";

  /**
   * Whether the secret is an OAuth2 identity token (config.json's {@code identitytoken}, or a
   * credential helper's answer with the user {@code <token>}): it is exchanged at the token
   * realm for an access token (grant_type=refresh_token), never sent as a password.
   */
  boolean isIdentityToken() {
    return IDENTITY_TOKEN_USER.equals(username);
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
