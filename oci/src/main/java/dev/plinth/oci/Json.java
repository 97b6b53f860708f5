package dev.plinth.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** Compact, deterministic JSON for OCI documents: the writer keeps the map order it is given. */
public final class Json {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(1 << 20)
                .maxNumberLength(32)
                .build());
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass(), e);
    }
  }

  public static String writePretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass(), e);
    }
  }

  /**
   * Parses untrusted JSON (duplicate keys rejected, depth bounded).
   *
   * @param what names the document in the error, e.g. "index.json of out/layout"
   */
  public static JsonNode read(byte[] bytes, String what) throws PlinthException {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          what + " is not valid JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage()),
          e);
    }
  }

  private Json() {}
}
