package dev.plinth.audit;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** A {@link LibraryClosure.Store} in a map the test can look into; layers are read concurrently. */
final class KeptInMemory implements LibraryClosure.Store {
  final Map<String, byte[]> kept = Collections.synchronizedMap(new HashMap<>());

  @Override
  public byte[] get(String key) {
    return kept.get(key);
  }

  @Override
  public void put(String key, byte[] value) {
    kept.put(key, value);
  }
}
