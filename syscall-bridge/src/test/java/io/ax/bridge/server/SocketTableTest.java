package io.ax.bridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ax.bridge.SocketPolicy.Transport;
import io.ax.bridge.net.Inet4Endpoint;
import io.ax.bridge.sys.Sys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bridge's sockets by inode, with an injected clock. */
class SocketTableTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final SocketTable table = new SocketTable(clock::incrementAndGet);

  @Test
  void getOrCreate_sameAppAndInode_returnsTheSameEntryWithItsState() {
    SocketState first = table.getOrCreate("0000000a", 7, Sys.AF_INET, Transport.TCP);
    first.bound(new Inet4Endpoint(0x0a000001, 80), new Inet4Endpoint(0, 40000));

    SocketState again = table.getOrCreate("0000000a", 7, Sys.AF_INET6, Transport.UDP);

    assertThat(again).isSameAs(first);
    assertThat(again.family()).isEqualTo(Sys.AF_INET); // the first call made it; later ones do not reshape it
    assertThat(again.realLocal()).contains(new Inet4Endpoint(0, 40000));
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void getOrCreate_newEntry_carriesItsArgumentsAndTheClock() {
    SocketState s = table.getOrCreate("0000000a", 9, Sys.AF_INET6, Transport.UDP);

    assertThat(s.appId).isEqualTo("0000000a");
    assertThat(s.inode).isEqualTo(9);
    assertThat(s.family()).isEqualTo(Sys.AF_INET6);
    assertThat(s.origin).isEqualTo(new SocketState.Origin.Seen(Sys.AF_INET6));
    assertThat(s.transport).isEqualTo(Transport.UDP);
    assertThat(s.createdNanos).isEqualTo(1_001);
    assertThat(s.published()).isFalse();
    assertThat(s.phase()).isEqualTo(new SocketState.Phase.Unbound());
    assertThat(table.get(9)).containsSame(s);
  }

  @Test
  void created_thenConnected_theConnectFindsTheKnownFamilyAndType() {
    table.created("0000000a", 11, Sys.AF_INET6, Sys.SOCK_DGRAM);

    SocketState s = table.getOrCreate("0000000a", 11, Sys.AF_INET, Transport.TCP);

    assertThat(s.family()).isEqualTo(Sys.AF_INET6);
    assertThat(s.origin).isEqualTo(new SocketState.Origin.Made(Sys.AF_INET6, Sys.SOCK_DGRAM));
    assertThat(s.transport).isEqualTo(Transport.UDP);
  }

  @Test
  void created_entryAlreadyThere_leavesItAlone() {
    SocketState served = table.getOrCreate("0000000a", 12, Sys.AF_INET, Transport.TCP);
    served.bound(new Inet4Endpoint(0x0a000001, 80), new Inet4Endpoint(0, 40000));
    served.publish(1L);

    table.created("0000000a", 12, Sys.AF_INET, Sys.SOCK_STREAM);

    assertThat(table.get(12)).containsSame(served);
    assertThat(served.origin).isInstanceOf(SocketState.Origin.Seen.class); // type unknown: calls on it still ask the kernel
  }

  @Test
  void getOrCreate_inodeReusedByAnotherApp_replacesWithAFreshEntry() {
    SocketState old = table.getOrCreate("0000000a", 7, Sys.AF_INET, Transport.TCP);
    old.bound(new Inet4Endpoint(0x0a000001, 80), new Inet4Endpoint(0, 40000));
    old.publish(1L);

    SocketState reused = table.getOrCreate("0000000b", 7, Sys.AF_INET, Transport.TCP);

    assertThat(reused).isNotSameAs(old);
    assertThat(reused.appId).isEqualTo("0000000b");
    assertThat(reused.published()).isFalse();
    assertThat(reused.virtualLocal()).isEmpty();
    assertThat(table.get(7)).containsSame(reused);
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void getOrCreate_differentInodes_differentEntries() {
    SocketState a = table.getOrCreate("0000000a", 1, Sys.AF_INET, Transport.TCP);
    SocketState b = table.getOrCreate("0000000a", 2, Sys.AF_INET, Transport.TCP);

    assertThat(a).isNotSameAs(b);
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void get_unknownInode_isEmpty() {
    assertThat(table.get(12345)).isEmpty();
  }

  @Test
  void removeApp_removesOnlyThatAppsEntriesAndReturnsThem() {
    SocketState a1 = table.getOrCreate("0000000a", 1, Sys.AF_INET, Transport.TCP);
    SocketState a2 = table.getOrCreate("0000000a", 2, Sys.AF_INET, Transport.UDP);
    SocketState b1 = table.getOrCreate("0000000b", 3, Sys.AF_INET, Transport.TCP);

    List<SocketState> removed = table.removeApp("0000000a");

    assertThat(removed).containsExactlyInAnyOrder(a1, a2);
    assertThat(table.snapshot()).containsExactly(b1);
    assertThat(table.get(1)).isEmpty();
    assertThat(table.get(3)).containsSame(b1);
  }

  @Test
  void removeApp_unknownApp_removesNothing() {
    table.getOrCreate("0000000a", 1, Sys.AF_INET, Transport.TCP);

    assertThat(table.removeApp("0000000f")).isEmpty();
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void remove_oneInode_leavesTheOthers() {
    table.getOrCreate("0000000a", 1, Sys.AF_INET, Transport.TCP);
    SocketState two = table.getOrCreate("0000000a", 2, Sys.AF_INET, Transport.TCP);

    table.remove(1);
    table.remove(99); // unknown: harmless

    assertThat(table.snapshot()).containsExactly(two);
  }

  @Test
  void snapshot_laterChanges_doNotShowInIt() {
    table.getOrCreate("0000000a", 1, Sys.AF_INET, Transport.TCP);
    List<SocketState> snap = table.snapshot();

    table.getOrCreate("0000000a", 2, Sys.AF_INET, Transport.TCP);
    table.remove(1);

    assertThat(snap).extracting(s -> s.inode).containsExactly(1L);
  }

  @Test
  void getOrCreate_pastMaxSockets_evictsTheOldestUnpublishedTenthAndKeepsPublished() {
    int max = SocketTable.MAX_SOCKETS;
    List<SocketState> published = new ArrayList<>();
    for (long inode = 0; inode < max; inode++) {
      SocketState s = table.getOrCreate("0000000a", inode, Sys.AF_INET, Transport.TCP);
      if (inode < 5) {
        s.bound(new Inet4Endpoint(0x0a000001, 80), new Inet4Endpoint(0, 40000));
        s.publish(1L); // the five oldest serve: they must survive
        published.add(s);
      }
    }
    assertThat(table.size()).isEqualTo(max);

    table.getOrCreate("0000000a", max, Sys.AF_INET, Transport.TCP);

    int evicted = max / 10;
    assertThat(table.size()).isEqualTo(max + 1 - evicted);
    assertThat(published).allSatisfy(s -> assertThat(table.get(s.inode)).containsSame(s));
    assertThat(table.get(5)).as("oldest unpublished").isEmpty();
    assertThat(table.get(5 + evicted - 1)).as("last evicted").isEmpty();
    assertThat(table.get(5 + evicted)).as("first kept").isPresent();
    assertThat(table.get(max)).as("the new entry").isPresent();
  }

  @Test
  void getOrCreate_raceOnOneInode_everyCallerGetsTheSameEntry() throws Exception {
    int threads = 16;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<SocketState>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return table.getOrCreate("0000000a", 42, Sys.AF_INET, Transport.TCP);
        }));
      }
      start.countDown();
      SocketState first = results.getFirst().get();
      for (Future<SocketState> f : results) {
        assertThat(f.get()).isSameAs(first);
      }
    }
    assertThat(table.size()).isEqualTo(1);
  }
}
