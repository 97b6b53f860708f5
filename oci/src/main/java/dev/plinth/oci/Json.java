package dev.plinth.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Compact, deterministic JSON for OCI documents: the writer keeps the map order it is given.
 *
 * <p>Jackson's streaming parser reads into its {@link JsonNode} tree; no ObjectMapper is built
 * (constructing one loads some 500 classes, a tenth of a second of every short run). The writer
 * handles what plinth's documents are made of: {@link Map} (string keys), {@link Collection},
 * arrays, {@link JsonNode}, {@link CharSequence}, {@link Number}, {@link Boolean}, enums and
 * null. Its output is byte for byte what Jackson 2.17's ObjectMapper wrote before it, since image
 * digests depend on it: no spaces; {@code "}, {@code \} and control characters escaped (the
 * short forms {@code \b \t \n \f \r}, else backslash, u and four hex digits in capitals);
 * other characters as UTF-8, except that characters outside the BMP are written as two such
 * escapes (one for each half of the surrogate pair), as Jackson's UTF-8 writer does; NaN and
 * infinities as strings.
 */
public final class Json {
  /** The deepest nesting a document may have. */
  public static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(1 << 20)
          .maxNumberLength(32)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Compact JSON in UTF-8: what documents and digests are made of. */
  public static byte[] write(Object value) {
    StringBuilder sb = new StringBuilder(512);
    new Writer(sb, false).value(value, 0);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Indented JSON for people and files they read (Jackson's default pretty printer: two spaces a
   * level, {@code "key" : value}, lists on one line as {@code [ a, b ]}; line ends {@code \n}).
   */
  public static String writePretty(Object value) {
    StringBuilder sb = new StringBuilder(1024);
    new Writer(sb, true).value(value, 0);
    return sb.toString();
  }

  /**
   * Parses an untrusted JSON object (duplicate keys rejected, depth, string and number lengths
   * bounded).
   *
   * @param what names the document in the error, e.g. "index.json of out/layout"
   */
  public static JsonNode read(byte[] bytes, String what) throws PlinthException {
    JsonNode node = readAny(bytes, what);
    if (!node.isObject()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a JSON object");
    }
    return node;
  }

  /**
   * Parses untrusted JSON of any kind, with the bounds of {@link #read}; a missing node for empty
   * input. What follows the first value is not read.
   */
  public static JsonNode readAny(byte[] bytes, String what) throws PlinthException {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken t = p.nextToken();
      return t == null ? NODES.missingNode() : value(p, t);
    } catch (IOException e) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          what + " is not valid JSON: "
              + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()),
          e);
    }
  }

  private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
    // if-chains, not switches on enums: no synthetic switch-map class to load
    if (t == JsonToken.START_OBJECT) {
      ObjectNode o = NODES.objectNode();
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonNode v = value(p, p.nextToken());
        if (o.replace(name, v) != null) {
          throw new JsonParseException(p, "Duplicate field '" + name + "'");
        }
      }
      return o;
    }
    if (t == JsonToken.START_ARRAY) {
      ArrayNode a = NODES.arrayNode();
      JsonToken n;
      while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
        a.add(value(p, n));
      }
      return a;
    }
    if (t == JsonToken.VALUE_STRING) {
      return NODES.textNode(p.getText());
    }
    if (t == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType nt = p.getNumberType();
      return nt == JsonParser.NumberType.INT ? NODES.numberNode(p.getIntValue())
          : nt == JsonParser.NumberType.LONG ? NODES.numberNode(p.getLongValue())
          : NODES.numberNode(p.getBigIntegerValue());
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      JsonParser.NumberType nt = p.getNumberType();
      return nt == JsonParser.NumberType.BIG_DECIMAL ? NODES.numberNode(p.getDecimalValue())
          : nt == JsonParser.NumberType.FLOAT ? NODES.numberNode(p.getFloatValue())
          : NODES.numberNode(p.getDoubleValue());
    }
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
    }
    if (t == JsonToken.VALUE_NULL) {
      return NODES.nullNode();
    }
    throw new JsonParseException(p, "Unexpected token (" + t + ")");
  }

  /** Writes one value into a StringBuilder; UTF-8 encoding is the caller's. */
  private static final class Writer {
    private final StringBuilder out;
    private final boolean pretty;

    Writer(StringBuilder out, boolean pretty) {
      this.out = out;
      this.pretty = pretty;
    }

    void value(Object v, int level) {
      if (v == null) {
        out.append("null");
      } else if (v instanceof CharSequence s) {
        string(s);
      } else if (v instanceof Map<?, ?> m) {
        object(m, level);
      } else if (v instanceof JsonNode n) {
        node(n, level);
      } else if (v instanceof Collection<?> c) {
        array(c.iterator(), level);
      } else if (v instanceof Object[] a) {
        array(java.util.Arrays.asList(a).iterator(), level);
      } else if (v instanceof Number n) {
        number(n);
      } else if (v instanceof Boolean b) {
        out.append(b.booleanValue());
      } else if (v instanceof Character c) {
        string(String.valueOf(c));
      } else if (v instanceof Enum<?> e) {
        string(e.name());
      } else {
        throw new IllegalStateException("cannot serialize " + v.getClass());
      }
    }

    private void node(JsonNode n, int level) {
      if (n.isObject()) {
        out.append('{');
        int i = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); i++) {
          Map.Entry<String, JsonNode> e = it.next();
          entry(i, e.getKey(), e.getValue(), level);
        }
        endObject(i, level);
      } else if (n.isArray()) {
        array(n.elements(), level);
      } else if (n.isTextual()) {
        string(n.textValue());
      } else if (n.isNumber()) {
        number(n.numberValue());
      } else if (n.isBoolean()) {
        out.append(n.booleanValue());
      } else if (n.isNull()) {
        out.append("null");
      } else {
        throw new IllegalStateException("cannot serialize " + n.getClass());
      }
    }

    private void object(Map<?, ?> m, int level) {
      out.append('{');
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object k = e.getKey();
        if (!(k instanceof CharSequence || k instanceof Number || k instanceof Enum<?>)) {
          throw new IllegalStateException("cannot serialize a map key of "
              + (k == null ? "null" : k.getClass().toString()));
        }
        entry(i++, k instanceof Enum<?> en ? en.name() : k.toString(), e.getValue(), level);
      }
      endObject(i, level);
    }

    private void entry(int i, String key, Object value, int level) {
      if (i > 0) {
        out.append(',');
      }
      if (pretty) {
        indent(level + 1);
      }
      string(key);
      out.append(pretty ? " : " : ":");
      value(value, level + 1);
    }

    private void endObject(int entries, int level) {
      if (pretty) {
        if (entries > 0) {
          indent(level);
        } else {
          out.append(' ');
        }
      }
      out.append('}');
    }

    private void array(Iterator<?> it, int level) {
      out.append('[');
      boolean first = true;
      while (it.hasNext()) {
        out.append(first ? (pretty ? " " : "") : (pretty ? ", " : ","));
        first = false;
        value(it.next(), level);
      }
      out.append(pretty ? " ]" : "]");
    }

    private void indent(int level) {
      out.append('\n');
      for (int i = 0; i < level; i++) {
        out.append("  ");
      }
    }

    private void number(Number n) {
      if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
          || n instanceof BigInteger || n instanceof BigDecimal) {
        out.append(n);
      } else if (n instanceof Double || n instanceof Float) {
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          out.append('"').append(n).append('"');
        } else {
          out.append(n);
        }
      } else {
        throw new IllegalStateException("cannot serialize " + n.getClass());
      }
    }

    private void string(CharSequence s) {
      out.append('"');
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          int k = "\b\t\n\f\r".indexOf(c);
          if (k >= 0) {
            out.append('\\').append("btnfr".charAt(k));
          } else {
            escape(c);
          }
        } else if (!pretty && Character.isSurrogate(c)) {
          escape(c); // Jackson's UTF-8 writer: each half of a pair escaped
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }

    private void escape(char c) {
      out.append("\\u")
          .append(HEX[c >> 12 & 0xF])
          .append(HEX[c >> 8 & 0xF])
          .append(HEX[c >> 4 & 0xF])
          .append(HEX[c & 0xF]);
    }
  }

  private Json() {}
}
