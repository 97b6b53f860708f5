package dev.plinth.oci;

/** plinth's own version, as reports and SBOMs name the tool that made them. */
public final class Version {
  public static final String PLINTH = "0.2.0";

  private Version() {}
}
