package io.ax.bridge.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.ax.bridge.SocketPolicy;
import io.ax.bridge.net.Inet4Endpoint;
import org.junit.jupiter.api.Test;

/**
 * No package of the bridge's main code ({@code target/classes}) depends on itself through
 * another: {@code io.ax.bridge}, {@code net}, {@code sys}, {@code seccomp} and {@code server}
 * stay a graph that points one way.
 */
class PackageCyclesTest {
  private static final JavaClasses MAIN = new ClassFileImporter().importUrl(SocketPolicy.class.getProtectionDomain().getCodeSource().getLocation());

  @Test
  void import_mainClasses_readsTheJava25ClassFiles() {
    // A rule over nothing would pass: make sure the classes (records, sealed types) were read.
    assertThat(MAIN.get(Inet4Endpoint.class).isRecord()).isTrue();
    assertThat(MAIN.stream().map(c -> c.getPackageName()).distinct().count()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void mainCode_packages_freeOfCycles() {
    slices().matching("io.ax.(**)").should().beFreeOfCycles().check(MAIN);
  }
}
