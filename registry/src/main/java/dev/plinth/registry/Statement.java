package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md): what it is
 * about (subjects: a name and a sha256 digest each), the kind of claim (predicateType) and the
 * claim itself (predicate: an SPDX document, a SLSA provenance).
 *
 * @param predicate the predicate as JSON
 */
public record Statement(List<Subject> subjects, String predicateType, JsonNode predicate) {
  public static final String TYPE = "https://in-toto.io/Statement/v1";
  public static final String SPDX = "https://spdx.dev/Document";
  public static final String SLSA_PROVENANCE = "https://slsa.dev/provenance/v1";
  /** The annotation of an attestation's manifest naming its predicate type, as cosign sets it. */
  public static final String PREDICATE_ANNOTATION = "in-toto.io/predicate-type";
  private static final int MAX_SUBJECTS = 1000;

  /** What a statement is about: a name (an image reference) and its sha256 digest. */
  public record Subject(String name, Digest digest) {}

  public Statement {
    subjects = List.copyOf(subjects);
  }

  /** The statement as JSON: {@code _type}, subject, predicateType, predicate. */
  public byte[] toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("_type", TYPE);
    List<Object> list = new ArrayList<>();
    for (Subject s : subjects) {
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("name", s.name());
      sm.put("digest", Map.of("sha256", s.digest().hex()));
      list.add(sm);
    }
    m.put("subject", list);
    m.put("predicateType", predicateType);
    m.put("predicate", predicate);
    return Json.write(m);
  }

  /**
   * Parses a statement, strictly: {@code _type} v1, subjects with sha256 digests, a predicateType
   * and an object predicate.
   */
  public static Statement parse(byte[] bytes, String where) throws PlinthException {
    JsonNode n = Json.read(bytes, where);
    if (!TYPE.equals(n.path("_type").asText())) {
      throw new PlinthException(Kind.BAD_INPUT, where + ": _type is '"
          + n.path("_type").asText() + "', not " + TYPE);
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : n.path("subject")) {
      if (subjects.size() == MAX_SUBJECTS) {
        throw new PlinthException(Kind.BAD_INPUT, where + ": over " + MAX_SUBJECTS
            + " subjects");
      }
      String hex = s.path("digest").path("sha256").asText();
      try {
        subjects.add(new Subject(s.path("name").asText(), Digest.parse("sha256:" + hex)));
      } catch (IllegalArgumentException e) {
        throw new PlinthException(Kind.BAD_INPUT, where + ": a subject's digest.sha256 '"
            + hex + "' is not a sha256 digest");
      }
    }
    String type = n.path("predicateType").asText("");
    if (subjects.isEmpty() || type.isEmpty() || !n.path("predicate").isObject()) {
      throw new PlinthException(Kind.BAD_INPUT, where + ": a statement needs subjects, a"
          + " predicateType and a predicate object");
    }
    return new Statement(subjects, type, n.path("predicate"));
  }

  /** Whether {@code d} is one of the subjects. */
  public boolean about(Digest d) {
    return subjects.stream().anyMatch(s -> s.digest().equals(d));
  }
}
