package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Strict reading of descriptors in registry documents. */
final class Documents {
  static Descriptor descriptor(JsonNode n, String what) throws PlinthException {
    if (n == null || !n.isObject()) {
      throw bad(what + ": a descriptor is missing or not an object");
    }
    String mt = n.path("mediaType").asText(null);
    if (mt == null || mt.isEmpty()) {
      throw bad(what + ": a descriptor has no mediaType");
    }
    Digest digest;
    try {
      digest = Digest.parse(n.path("digest").asText(null));
    } catch (IllegalArgumentException e) {
      throw bad(what + ": '" + RegistryHttp.clean(n.path("digest").asText(""))
          + "' is not a sha256 digest");
    }
    JsonNode size = n.path("size");
    if (!size.isIntegralNumber() || size.asLong(-1) < 0) {
      throw bad(what + ": descriptor " + digest + " has no valid size");
    }
    Platform platform = null;
    JsonNode p = n.get("platform");
    if (p != null && p.isObject()) {
      platform = new Platform(p.path("os").asText("unknown"),
          p.path("architecture").asText("unknown"), p.path("variant").asText(null));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    n.path("annotations").fields()
        .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new Descriptor(mt, digest, size.asLong(), platform, annotations);
  }

  static PlinthException bad(String m) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, m);
  }

  private Documents() {}
}
