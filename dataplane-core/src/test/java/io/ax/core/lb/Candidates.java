package io.ax.core.lb;

import io.ax.bridge.net.Inet4Endpoint;
import io.ax.core.net.Endpoints;
import io.ax.core.net.Ipv4;
import java.util.ArrayList;
import java.util.List;

/** Test candidates: item i stands for 10.0.(i/256).(i%256):80, with weight 1 unless given. */
final class Candidates {
  private Candidates() {}

  static Inet4Endpoint address(int i) {
    return Endpoints.of(new Ipv4(0x0a000000 | i), 80);
  }

  static <T> List<Candidate<T>> of(List<T> items) {
    List<Candidate<T>> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(new Candidate<>(items.get(i), address(i), 1));
    }
    return out;
  }

  static <T> List<Candidate<T>> weighted(List<T> items, int... weights) {
    List<Candidate<T>> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(new Candidate<>(items.get(i), address(i), weights[i]));
    }
    return out;
  }
}
