package dev.plinth.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} header: {@code Bearer realm="...",service="...",scope="..."}
 * or {@code Basic realm="..."}. Only the first challenge is read.
 *
 * @param scheme lowercase: "basic" or "bearer"
 */
record Challenge(String scheme, Map<String, String> params) {
  static Challenge parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    int sp = h.indexOf(' ');
    String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty() || h.length() > 8192) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = sp < 0 ? h.length() : sp + 1;
    while (i < h.length()) {
      while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder v = new StringBuilder();
      if (i < h.length() && h.charAt(i) == '"') {
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          v.append(h.charAt(i++));
        }
        i++;
      } else {
        while (i < h.length() && h.charAt(i) != ',') {
          v.append(h.charAt(i++));
        }
      }
      if (key.contains(" ")) {
        break; // a second challenge starts: ignore it
      }
      params.putIfAbsent(key, v.toString().trim());
    }
    return new Challenge(scheme, params);
  }

  String param(String name) {
    return params.get(name);
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  boolean insufficientScope() {
    return "insufficient_scope".equals(params.get("error"));
  }
}
