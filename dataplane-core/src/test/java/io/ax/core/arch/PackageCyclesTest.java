package io.ax.core.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.ax.core.daemon.Daemon;
import io.ax.core.decision.ConnectDecider;
import io.ax.core.model.ServerEntry;
import org.junit.jupiter.api.Test;

/**
 * No package of the daemon's main code (this module's {@code target/classes}: {@code io.ax.core}
 * and {@code io.ax.cli}) depends on itself through another: each package is a slice of its own,
 * so {@code model -> net -> model} fails as well as {@code model -> lb -> model}.
 */
class PackageCyclesTest {
  /** Every package on its own ({@code io.ax.core.model}, {@code io.ax.core.net}...). */
  static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.ax.(**)").should().beFreeOfCycles();

  // The module's own classes only (not the bridge's or the agent's, which are on the classpath).
  private static final JavaClasses MAIN = new ClassFileImporter().importUrl(Daemon.class.getProtectionDomain().getCodeSource().getLocation());

  @Test
  void import_mainClasses_readsTheJava25ClassFiles() {
    // A rule over nothing would pass: make sure the classes (records, sealed types) were read.
    assertThat(MAIN.contain(ConnectDecider.class)).isTrue();
    assertThat(MAIN.get(ServerEntry.class).isRecord()).isTrue();
    assertThat(MAIN.stream().map(c -> c.getPackageName()).distinct().count()).isGreaterThan(10);
  }

  @Test
  void mainCode_packages_freeOfCycles() {
    NO_PACKAGE_CYCLES.check(MAIN);
  }

  @Test
  void rule_twoPackagesImportingEachOther_fails() {
    JavaClasses cycle = new ClassFileImporter().importPackages("io.ax.core.arch.cycle");

    assertThatThrownBy(() -> NO_PACKAGE_CYCLES.check(cycle)).isInstanceOf(AssertionError.class).hasMessageContaining("Cycle detected");
  }
}
