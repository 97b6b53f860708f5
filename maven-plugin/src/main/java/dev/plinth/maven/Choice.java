package dev.plinth.maven;

/**
 * A value the goal chose for the user, and why, in words the build log shows ("the one class
 * with a main method in target/classes").
 */
record Choice<T>(T value, String why) {}
