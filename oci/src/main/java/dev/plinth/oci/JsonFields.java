package dev.plinth.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One JSON object of an untrusted document, read strictly: each accessor names the document and
 * the field when a value is missing, of the wrong type or over a limit, as a BAD_INPUT
 * {@link PlinthException}. A JSON null counts as absent (Go's encoders write them).
 */
final class JsonFields {
  /** The most entries a list or map of a document may have. */
  static final int MAX_ENTRIES = 10_000;

  private final JsonNode node;
  private final String where;

  private JsonFields(JsonNode node, String where) {
    this.node = node;
    this.where = where;
  }

  /**
   * Parses a whole document: at most {@code maxBytes}, a JSON object, nesting and string lengths
   * bounded by {@link Json}.
   */
  static JsonFields parse(byte[] bytes, String where, int maxBytes) throws PlinthException {
    if (bytes.length > maxBytes) {
      throw bad(where, "is " + bytes.length + " bytes, over the " + maxBytes
          + "-byte limit for a document");
    }
    return new JsonFields(Json.read(bytes, where), where);
  }

  String where() {
    return where;
  }

  boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  private JsonNode get(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  /**
   * The value at {@code key} as {@code value} converts it; null when absent; BAD_INPUT naming the
   * key when it is not {@code what}.
   */
  private <T> T opt(String key, Predicate<JsonNode> is, String what, Function<JsonNode, T> value)
      throws PlinthException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!is.test(v)) {
      throw bad(where, "'" + key + "' is not " + what);
    }
    return value.apply(v);
  }

  /** {@code value}, which an opt accessor gave for {@code key}; BAD_INPUT when it is absent. */
  private <T> T required(String key, T value) throws PlinthException {
    if (value == null) {
      throw bad(where, "has no '" + key + "'");
    }
    return value;
  }

  String string(String key) throws PlinthException {
    return required(key, optString(key));
  }

  String optString(String key) throws PlinthException {
    return opt(key, JsonNode::isTextual, "a string", JsonNode::textValue);
  }

  /** A whole number of at least 0. */
  long size(String key) throws PlinthException {
    return required(key, opt(key,
        v -> v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0,
        "a size (a whole number of at least 0)", JsonNode::longValue));
  }

  /** {@code schemaVersion}, which must be the number 2. */
  void schemaVersion2() throws PlinthException {
    JsonNode v = get("schemaVersion");
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() != 2) {
      throw bad(where, "schemaVersion is " + (v == null ? "missing" : clean(v.toString()))
          + "; plinth reads schemaVersion 2 (OCI, Docker v2 schema 2) only");
    }
  }

  Boolean optBoolean(String key) throws PlinthException {
    return opt(key, JsonNode::isBoolean, "true or false", JsonNode::booleanValue);
  }

  Long optLong(String key) throws PlinthException {
    return opt(key, v -> v.isIntegralNumber() && v.canConvertToLong(), "a whole number",
        JsonNode::longValue);
  }

  JsonFields object(String key) throws PlinthException {
    return required(key, optObject(key));
  }

  JsonFields optObject(String key) throws PlinthException {
    return opt(key, JsonNode::isObject, "an object", v -> new JsonFields(v, where + " " + key));
  }

  /** The objects of a list; {@code required}: the list must be there (it may be empty). */
  List<JsonFields> objects(String key, boolean required) throws PlinthException {
    return elements(key, required, JsonNode::isObject, "an object",
        (v, at) -> new JsonFields(v, where + " " + at));
  }

  /**
   * The elements of the list at {@code key}, each as {@code value} converts it (given the element
   * and where it is, "key[i]"); empty when the list is absent and not required.
   */
  private <T> List<T> elements(String key, boolean required, Predicate<JsonNode> is, String what,
      BiFunction<JsonNode, String, T> value) throws PlinthException {
    JsonNode v = list(key, required);
    List<T> out = new ArrayList<>();
    for (int i = 0; v != null && i < v.size(); i++) {
      String at = key + "[" + i + "]";
      if (!is.test(v.get(i))) {
        throw bad(where, at + " is not " + what);
      }
      out.add(value.apply(v.get(i), at));
    }
    return out;
  }

  private JsonNode list(String key, boolean required) throws PlinthException {
    JsonNode v = get(key);
    if (v == null) {
      if (required) {
        throw bad(where, "has no '" + key + "' list");
      }
      return null;
    }
    if (!v.isArray()) {
      throw bad(where, "'" + key + "' is not a list");
    }
    if (v.size() > MAX_ENTRIES) {
      throw bad(where, "'" + key + "' has " + v.size() + " entries, over the limit of "
          + MAX_ENTRIES);
    }
    return v;
  }

  /** A list of strings; empty when absent. */
  List<String> strings(String key) throws PlinthException {
    return elements(key, false, JsonNode::isTextual, "a string", (v, at) -> v.textValue());
  }

  /** A list of strings, or one string as a list of it (Docker's old form of Entrypoint, Cmd). */
  List<String> stringOrStrings(String key) throws PlinthException {
    JsonNode v = get(key);
    if (v != null && v.isTextual()) {
      return new ArrayList<>(List.of(v.textValue()));
    }
    return strings(key);
  }

  /** An object of strings, in its order; empty when absent. */
  Map<String, String> stringMap(String key) throws PlinthException {
    JsonFields o = optObject(key);
    Map<String, String> out = new LinkedHashMap<>();
    if (o == null) {
      return out;
    }
    o.checkCount(key);
    for (Iterator<Map.Entry<String, JsonNode>> it = o.node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw bad(where, "'" + key + "' has a value that is not a string (at '"
            + clean(e.getKey()) + "')");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  /** The keys of an object whose values are empty objects (Docker's sets: ports, volumes). */
  List<String> keySet(String key) throws PlinthException {
    JsonFields o = optObject(key);
    List<String> out = new ArrayList<>();
    if (o == null) {
      return out;
    }
    o.checkCount(key);
    o.node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private void checkCount(String key) throws PlinthException {
    if (node.size() > MAX_ENTRIES) {
      throw bad(where, "has " + node.size() + " entries, over the limit of " + MAX_ENTRIES);
    }
  }

  /** The fields not in {@code known}, in their order, as plain values (maps, lists, strings...). */
  Map<String, Object> rest(Set<String> known) {
    Map<String, Object> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      if (!known.contains(e.getKey())) {
        out.put(e.getKey(), plain(e.getValue()));
      }
    });
    return out;
  }

  /** Every field, in its order, as plain values. */
  Map<String, Object> all() {
    return rest(Set.of());
  }

  private static Object plain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(plain(x)));
      return l;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isNumber()) {
      return n.numberValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return null;
  }

  static PlinthException bad(String where, String what) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, where + ": " + what);
  }

  /** Text from a hostile document made safe to print: printable ASCII, at most 100 characters. */
  static String clean(String s) {
    String t = s.replaceAll("[^\\x20-\\x7e]", "?");
    return t.length() > 100 ? t.substring(0, 100) + "..." : t;
  }
}
