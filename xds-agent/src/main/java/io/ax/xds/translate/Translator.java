package io.ax.xds.translate;

/** Turns Istio-shaped xDS resources into the daemon's vservices. Pure and deterministic. */
public final class Translator {
  private Translator() {}

  public static Translation translate(XdsSnapshot snapshot) {
    throw new UnsupportedOperationException("CONTRACT skeleton: implemented by the translation work");
  }
}
