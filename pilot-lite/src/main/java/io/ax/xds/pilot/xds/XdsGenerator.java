package io.ax.xds.pilot.xds;

import io.ax.xds.pilot.mesh.Mesh;

/**
 * Turns a {@link Mesh} into the Istio-shaped xDS resources istiod would send a sidecar: clusters,
 * endpoints, listeners and routes with istiod's names. Pure and deterministic: the same mesh
 * gives equal resources.
 */
public final class XdsGenerator {
  private XdsGenerator() {}

  /** The resources of {@code mesh}; {@link IncrementalGenerator} makes the same over a sequence of meshes, faster. */
  public static IstioResources generate(Mesh mesh) {
    return new IncrementalGenerator().generate(mesh);
  }
}
