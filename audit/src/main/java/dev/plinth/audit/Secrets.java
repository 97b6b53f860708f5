package dev.plinth.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What looks like a secret: names of variables that hold one, token formats that identify one,
 * values too random to be anything else, private keys and credential files. Findings name the
 * key, the file or the kind of token, never the value.
 */
final class Secrets {
  /** Words that make a variable name a secret's: DB_PASSWORD, GITHUB_TOKEN, CLIENT_SECRET. */
  private static final Set<String> SECRET_WORDS = Set.of("PASSWORD", "PASSWD", "PASSPHRASE",
      "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS",
      "PRIVATEKEY", "ACCESSKEY", "SECRETKEY", "AUTHTOKEN");
  /** KEY after one of these is a secret's name too: API_KEY, AWS_SECRET_ACCESS_KEY. */
  private static final Set<String> KEY_QUALIFIERS = Set.of("API", "ACCESS", "PRIVATE", "SECRET",
      "SIGNING", "ENCRYPTION", "CLIENT", "MASTER", "LICENSE", "SERVICE", "AUTH");
  /** Names that say the value points at a secret rather than holding it, or is not one. */
  private static final Set<String> NOT_A_VALUE_SUFFIXES = Set.of("FILE", "PATH", "DIR", "URL",
      "URI", "ENDPOINT", "HOST", "PORT", "USER", "USERNAME", "NAME", "ID", "TYPE", "LENGTH",
      "ENABLED", "REQUIRED", "HEADER", "POLICY", "EXPIRY", "TTL", "MODE", "METHOD");
  /** Keys whose values are meant to look random: checksums, fingerprints, versions. */
  private static final Set<String> DIGEST_WORDS = Set.of("SHA", "SHA1", "SHA256", "SHA512",
      "SUM", "SHASUM", "CHECKSUM", "DIGEST", "HASH", "FINGERPRINT", "GPG", "KEYID", "VERSION",
      "COMMIT", "REVISION", "REF", "ETAG", "UUID", "GUID");

  record Token(String kind, Pattern pattern) {}

  private static final List<Token> TOKENS = List.of(
      new Token("an AWS access key id", Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b")),
      new Token("a GitHub token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{36,}"
          + "|github_pat_[A-Za-z0-9_]{22,})")),
      new Token("a GitLab token", Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}")),
      new Token("a Slack token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}")),
      new Token("a Stripe live key", Pattern.compile("\\b[rs]k_live_[A-Za-z0-9]{20,}")),
      new Token("a Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}")),
      new Token("an npm token", Pattern.compile("\\bnpm_[A-Za-z0-9]{36}\\b")),
      new Token("a private key", Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----")),
      new Token("a JSON web token", Pattern.compile(
          "\\beyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}")),
      new Token("a password in a URL", Pattern.compile(
          "\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@]+:([^/\\s@$]{1,256})@")));

  private static final Pattern ASSIGNMENT = Pattern.compile(
      "(?<![A-Za-z0-9_-])([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\\s;&|\"']+)");
  private static final Pattern FLAG = Pattern.compile(
      "(?i)--?(password|passwd|token|api-key|apikey|secret|client-secret)[= ](\"[^\"]*\"|'[^']*'|\\S+)");

  /** Whether an env or label name says its value is a secret (and not its path or id). */
  static boolean isSecretName(String key) {
    String[] words = key.toUpperCase(Locale.ROOT).split("[^A-Z0-9]+");
    if (words.length == 0 || key.equals("PWD") || key.equals("OLDPWD")) {
      return false;
    }
    String last = words[words.length - 1];
    if (NOT_A_VALUE_SUFFIXES.contains(last)) {
      return false;
    }
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      if (SECRET_WORDS.contains(w) && !(w.equals("PWD") && words.length == 1)) {
        return true;
      }
      if (w.equals("KEY") && i > 0 && KEY_QUALIFIERS.contains(words[i - 1])) {
        return true;
      }
    }
    return false;
  }

  /** Switch values: ALLOW_EMPTY_PASSWORD=yes names a password but holds none. */
  private static final Set<String> SWITCHES = Set.of("yes", "no", "true", "false", "on", "off",
      "0", "1", "none", "null", "enabled", "disabled", "required", "optional");

  /**
   * Whether a value is a literal secret: not empty, not a path, not a reference to a variable,
   * not a switch (yes, false, 0).
   */
  static boolean isLiteral(String value) {
    String v = unquote(value).strip();
    return !v.isEmpty() && !v.startsWith("/") && !v.startsWith("$") && !v.startsWith("%")
        && !v.equals("<redacted>") && !v.equals("****")
        && !SWITCHES.contains(v.toLowerCase(Locale.ROOT));
  }

  /** What kind of token the text holds, or null. */
  static String tokenKind(String text) {
    for (Token t : TOKENS) {
      Matcher m = t.pattern.matcher(text);
      if (m.find()) {
        return t.kind;
      }
    }
    return null;
  }

  /** Whether a value looks random enough to be a key: long, mixed, high entropy. */
  static boolean looksRandom(String key, String value) {
    for (String w : key.toUpperCase(Locale.ROOT).split("[^A-Z0-9]+")) {
      if (DIGEST_WORDS.contains(w)) {
        return false;
      }
    }
    String v = value.strip();
    if (v.length() < 32 || v.length() > 4096 || !v.matches("[A-Za-z0-9+/=_-]+")) {
      return false;
    }
    boolean upper = false;
    boolean lower = false;
    boolean digit = false;
    for (char c : v.toCharArray()) {
      upper |= Character.isUpperCase(c);
      lower |= Character.isLowerCase(c);
      digit |= Character.isDigit(c);
    }
    return upper && lower && digit && entropy(v) >= 4.2;
  }

  /** Shannon entropy of the characters, in bits per character. */
  static double entropy(String s) {
    int[] counts = new int[128];
    int n = 0;
    for (char c : s.toCharArray()) {
      if (c < 128) {
        counts[c]++;
        n++;
      }
    }
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = (double) c / n;
        h -= p * (Math.log(p) / Math.log(2));
      }
    }
    return h;
  }

  /** Secrets a build command line shows: KEY=VALUE with a secret's name, flags, tokens. */
  static List<String> inCommand(String command) {
    List<String> found = new ArrayList<>();
    Matcher m = ASSIGNMENT.matcher(command);
    while (m.find()) {
      if (isSecretName(m.group(1)) && isLiteral(m.group(2))) {
        found.add(m.group(1) + " is set to a literal value");
      }
    }
    Matcher f = FLAG.matcher(command);
    while (f.find()) {
      if (isLiteral(f.group(2))) {
        found.add("the option --" + f.group(1).toLowerCase(Locale.ROOT) + " is given a literal"
            + " value");
      }
    }
    String kind = tokenKind(command);
    if (kind != null) {
      found.add("it holds " + kind);
    }
    return found;
  }

  /** Whether the head of a file holds a PEM, OpenSSH or PuTTY private key. */
  static boolean isPrivateKey(byte[] head, int n, String base) {
    int start = 0;
    while (start < n && start < 64 && Character.isWhitespace(head[start])) {
      start++;
    }
    boolean pemLike = startsWith(head, start, n, "-----BEGIN ");
    String lower = base.toLowerCase(Locale.ROOT);
    boolean keyName = lower.endsWith(".pem") || lower.endsWith(".key") || lower.startsWith("id_")
        || lower.endsWith(".ppk");
    if (!pemLike && !keyName) {
      return false;
    }
    int limit = Math.min(n, 1 << 16);
    return indexOf(head, limit, "PRIVATE KEY-----") >= 0
        || indexOf(head, limit, "PuTTY-User-Key-File") >= 0;
  }

  /** What a small credentials file's content shows, or null when it holds no secret. */
  static String credentialsIn(String base, String parent, byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8);
    switch (base) {
      case ".npmrc" -> {
        Matcher m = Pattern.compile("(?m)(_authToken|_auth|_password)\\s*=\\s*(\\S+)").matcher(text);
        while (m.find()) {
          if (isLiteral(m.group(2))) {
            return "an npm registry credential (" + m.group(1) + ")";
          }
        }
        return null;
      }
      case ".git-credentials" -> {
        return text.contains("@") ? "git credentials" : null;
      }
      case ".netrc" -> {
        return Pattern.compile("(?m)\\bpassword\\s+\\S+").matcher(text).find()
            ? "a password for a host" : null;
      }
      case ".pypirc" -> {
        return Pattern.compile("(?m)^\\s*password\\s*[=:]\\s*\\S+").matcher(text).find()
            ? "a package index password" : null;
      }
      case "config.json" -> {
        return parent.equals(".docker")
            && Pattern.compile("\"(auth|identitytoken|registrytoken)\"\\s*:\\s*\"[^\"]+\"")
                .matcher(text).find() ? "registry credentials" : null;
      }
      case "credentials" -> {
        return parent.equals(".aws")
            && Pattern.compile("(?mi)^\\s*aws_secret_access_key\\s*=\\s*\\S+").matcher(text).find()
            ? "an AWS secret access key" : null;
      }
      case "config" -> {
        return parent.equals(".kube")
            && Pattern.compile("(?m)^\\s*(token|client-key-data|password)\\s*:\\s*\\S+")
                .matcher(text).find() ? "Kubernetes credentials" : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** Files that usually hold credentials, by name alone. */
  static String credentialName(String base) {
    String lower = base.toLowerCase(Locale.ROOT);
    if (lower.equals(".env") || (lower.startsWith(".env.") && !lower.matches(
        "\\.env\\.(example|sample|template|dist|defaults?)"))) {
      return "an environment file";
    }
    if (lower.equals("credentials.json") || lower.matches("client_secrets?(_.*)?\\.json")
        || lower.equals("service-account.json") || lower.equals(".htpasswd")
        || lower.equals("terraform.tfstate") || lower.equals(".boto") || lower.equals(".s3cfg")) {
      return "a credentials file";
    }
    if (lower.endsWith(".p12") || lower.endsWith(".pfx") || lower.endsWith(".jks")
        || lower.endsWith(".keystore") || lower.endsWith(".kdbx")) {
      return "a keystore";
    }
    if (lower.equals("id_rsa") || lower.equals("id_dsa") || lower.equals("id_ecdsa")
        || lower.equals("id_ed25519")) {
      return "an SSH key file";
    }
    return null;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"")
        || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  private static boolean startsWith(byte[] b, int at, int n, String s) {
    if (at + s.length() > n) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int n, String s) {
    outer:
    for (int i = 0; i + s.length() <= n; i++) {
      for (int j = 0; j < s.length(); j++) {
        if (b[i + j] != s.charAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private Secrets() {}
}
