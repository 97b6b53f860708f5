package dev.plinth.http;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** A response's header fields, names compared without case. */
public final class Headers {
  private final Map<String, List<String>> map;

  /** @param map a map whose keys compare without case */
  Headers(Map<String, List<String>> map) {
    this.map = map;
  }

  public Optional<String> firstValue(String name) {
    List<String> v = map.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** The first value as a number; empty if there is none or it is not a number. */
  public OptionalLong firstValueAsLong(String name) {
    Optional<String> v = firstValue(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(v.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  public List<String> allValues(String name) {
    List<String> v = map.get(name);
    return v == null ? List.of() : Collections.unmodifiableList(v);
  }
}
