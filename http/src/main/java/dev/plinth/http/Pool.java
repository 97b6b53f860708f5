package dev.plinth.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Idle keep-alive connections, per scheme, host and port; the newest is reused first. */
final class Pool {
  private final Map<String, ArrayDeque<Conn>> idle = new HashMap<>();

  Conn take(String key) {
    synchronized (idle) {
      ArrayDeque<Conn> q = idle.get(key);
      return q == null ? null : q.pollLast();
    }
  }

  /** Keeps it, or closes it when {@link Http1#MAX_IDLE} are kept for its server already. */
  void give(String key, Conn c) {
    synchronized (idle) {
      ArrayDeque<Conn> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
      if (q.size() < Http1.MAX_IDLE) {
        q.addLast(c);
        return;
      }
    }
    c.close();
  }

  void closeAll() {
    List<Conn> all = new ArrayList<>();
    synchronized (idle) {
      idle.values().forEach(all::addAll);
      idle.clear();
    }
    all.forEach(Conn::close);
  }
}
