package io.ax.core.mesh;

import io.ax.core.field.InvalidFieldException;
import io.ax.core.model.App;
import io.ax.core.model.AppId;
import io.ax.core.net.Ipv4;
import io.ax.core.state.DataplaneState;
import java.util.HashSet;
import java.util.Set;

/**
 * The made-up vIP of an app that has a name and no {@code --ip}. A pure function of the snapshot,
 * the name and the id the app asked to keep; stateless, so safe from any thread.
 */
final class NamedIps {
  /**
   * Where named apps without --ip get their vIP: 100.64.0.0/10, the shared address space of RFC
   * 6598, which hosts rarely use and the internet does not route.
   */
  static final int NAMED_IPS = 0x64400000;
  static final int NAMED_IPS_PREFIX = 10;

  private NamedIps() {}

  /**
   * The one the app had before (it registers again after a restart), or that of an app with the
   * same name (they are balanced as one), or a new one in {@link #NAMED_IPS} picked from the
   * name's hash and free of every app's and vservice's IP. Clients never need to know it: they
   * use the name.
   *
   * @param appId the id the app asked to keep, empty for a new app
   * @throws InvalidFieldException naming {@code --name} when the space is full
   */
  static Ipv4 pick(DataplaneState s, String name, String appId) {
    if (!appId.isEmpty()) {
      App known = s.apps().get(new AppId(appId));
      if (known != null) {
        return known.appIp();
      }
    }
    Set<Integer> taken = new HashSet<>();
    for (App a : s.apps().values()) {
      if (a.name().equals(name)) {
        return a.appIp();
      }
      taken.add(a.appIp().bits());
    }
    s.vservices().values().forEach(v -> taken.add(v.ip().bits()));
    return firstFree(name, taken, NAMED_IPS_PREFIX);
  }

  /**
   * The first address of {@code NAMED_IPS/prefix} not in {@code taken}, starting from the name's
   * hash and wrapping; never the network or the broadcast address. A prefix longer than 10 (a
   * smaller space) is for tests that fill it.
   */
  static Ipv4 firstFree(String name, Set<Integer> taken, int prefix) {
    int size = 1 << (32 - prefix);
    int start = Math.floorMod(name.hashCode(), size - 2) + 1;
    for (int i = 0; i < size - 2; i++) {
      int candidate = NAMED_IPS + 1 + Math.floorMod(start - 1 + i, size - 2);
      if (!taken.contains(candidate)) {
        return new Ipv4(candidate);
      }
    }
    throw new InvalidFieldException("--name", "no free address left in " + new Ipv4(NAMED_IPS) + "/" + prefix + " for '" + name + "'; give it an --ip");
  }
}
