package dev.plinth.http;

/** A body read from a connection, framed by its length or its chunks. */
interface Framed {
  /** Reading it to its end must also be done by {@code d}; nothing once it is done or closed. */
  void within(Deadline d);
}
