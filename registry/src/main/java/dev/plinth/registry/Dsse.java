package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DSSE envelope (github.com/secure-systems-lab/dsse, v1.0): a payload, its type, and
 * signatures over the pre-authentication encoding (PAE) of the two, as cosign writes
 * attestations: {@code {"payloadType":…,"payload":BASE64,"signatures":[{"keyid":"","sig":BASE64}]}}.
 * The signature algorithm is the key's, as for image signatures (ECDSA P-256 with SHA-256 for
 * cosign's keys).
 *
 * @param payload the payload's bytes (decoded)
 */
public record Dsse(String payloadType, byte[] payload, List<Signature> signatures) {
  /** The payload type of an in-toto statement. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  /** The media type of an envelope as a blob (an OCI layer of an attestation). */
  public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  /** One signature: the key's id (empty, as cosign leaves it) and the signature's bytes. */
  public record Signature(String keyid, byte[] sig) {}

  public Dsse {
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  /**
   * DSSE's pre-authentication encoding: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
   * body}, lengths as ASCII decimal of the byte counts. What is signed: never the payload alone.
   */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** An envelope of {@code payload} signed once with {@code key}. */
  public static Dsse sign(String payloadType, byte[] payload, PrivateKey key) {
    byte[] sig = CosignSignatures.signBytes(key, pae(payloadType, payload));
    return new Dsse(payloadType, payload, List.of(new Signature("", sig)));
  }

  /** Whether a signature of the envelope verifies with {@code key}. */
  public boolean verifies(PublicKey key) {
    byte[] pae = pae(payloadType, payload);
    for (Signature s : signatures) {
      if (CosignSignatures.verifyBytes(key, pae, s.sig())) {
        return true;
      }
    }
    return false;
  }

  /** The envelope's JSON, compact: what the layer blob and a .intoto.jsonl line hold. */
  public byte[] toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("payloadType", payloadType);
    m.put("payload", Base64.getEncoder().encodeToString(payload));
    List<Object> sigs = new ArrayList<>();
    for (Signature s : signatures) {
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("keyid", s.keyid());
      sm.put("sig", Base64.getEncoder().encodeToString(s.sig()));
      sigs.add(sm);
    }
    m.put("signatures", sigs);
    return Json.write(m);
  }

  /**
   * Parses an envelope, strictly: a payloadType, a base64 payload, a list of signatures each
   * with a base64 sig.
   *
   * @param where names the envelope in errors
   */
  public static Dsse parse(byte[] bytes, String where) throws PlinthException {
    JsonNode n = Json.read(bytes, where);
    String type = n.path("payloadType").asText("");
    if (type.isEmpty() || !n.path("payload").isTextual() || !n.path("signatures").isArray()) {
      throw new PlinthException(Kind.BAD_INPUT, where + " is not a DSSE envelope (payloadType,"
          + " payload and signatures)");
    }
    try {
      byte[] payload = Base64.getDecoder().decode(n.path("payload").asText());
      List<Signature> sigs = new ArrayList<>();
      for (JsonNode s : n.path("signatures")) {
        sigs.add(new Signature(s.path("keyid").asText(""),
            Base64.getDecoder().decode(s.path("sig").asText(""))));
      }
      return new Dsse(type, payload, sigs);
    } catch (IllegalArgumentException e) {
      throw new PlinthException(Kind.BAD_INPUT, where + ": the payload or a signature is not"
          + " base64: " + e.getMessage());
    }
  }
}
