package io.ax.core.cluster;

import static io.ax.core.state.StateFixtures.vservice;
import static org.assertj.core.api.Assertions.assertThat;

import io.ax.core.cluster.VServiceRegisters.Register;
import io.ax.core.cluster.VServiceRegisters.Write;
import io.ax.core.lb.LbPolicy;
import io.ax.core.model.VService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StampFileTest {
  @TempDir Path dir;
  private static final VService WEB = vservice("web", "198.19.0.1", LbPolicy.RANDOM, List.of("80:8080"), "198.18.0.1");

  private static Write write(String name, long clock, VService value) {
    return new Write(name, new Register(new Stamp(clock, "node2"), Optional.ofNullable(value)));
  }

  @Test
  void savedStamps_loadBack_withDeletionsApart_andTheFileIsTheOwnersOnly() throws Exception {
    StampFile f = new StampFile(dir.resolve("cluster.pb"));

    f.save(1, 9, List.of(write("web", 4, WEB), write("gone", 9, null)));

    StampFile.Loaded loaded = new StampFile(dir.resolve("cluster.pb")).load();
    assertThat(loaded.clock()).isEqualTo(9);
    assertThat(loaded.live()).isEqualTo(Map.of("web", new Stamp(4, "node2")));
    assertThat(loaded.deleted()).isEqualTo(Map.of("gone", new Stamp(9, "node2")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cluster.pb")))).isEqualTo("rw-------");
  }

  @Test
  void aSaveOfAnOlderVersion_thanTheLastWritten_isSkipped() throws Exception {
    StampFile f = new StampFile(dir.resolve("cluster.pb"));

    f.save(5, 9, List.of(write("web", 9, WEB)));
    f.save(4, 8, List.of(write("web", 8, null)));

    assertThat(f.load().live()).containsOnlyKeys("web");
    assertThat(f.load().clock()).isEqualTo(9);
  }

  @Test
  void aFileThatIsNotAStampFile_loadsAsNothing() throws Exception {
    Files.write(dir.resolve("cluster.pb"), new byte[] {(byte) 0xff, 0x01, 0x02});

    assertThat(new StampFile(dir.resolve("cluster.pb")).load()).isEqualTo(StampFile.Loaded.NONE);
  }
}
