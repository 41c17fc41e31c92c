package io.vpccni.emulator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's rules (ARCHITECTURE.md, Layout), held by the build. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.emulator");

  @Test
  void theEmulatorSharesNoTypesWithTheClientSide() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vpccni.cloud..",
            "io.vpccni.agent..",
            "io.vpccni.controller..",
            "io.vpccni.cni..",
            "io.vpccni.crd..")
        .because(
            "the emulator plays the other side of the wire and must not hide a client bug by sharing its types")
        .check(MAIN);
  }

  @Test
  void theModelKnowsNeitherHttpNorTheWire() {
    noClasses()
        .that()
        .resideInAPackage("io.vpccni.emulator.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vpccni.emulator.api..",
            "io.vpccni.emulator.dataplane..",
            "io.vpccni.netlink..",
            "com.sun.net.httpserver..",
            "tools.jackson..")
        .check(MAIN);
  }

  @Test
  void faultsAreIndependentOfTheModelAndHttp() {
    noClasses()
        .that()
        .resideInAPackage("io.vpccni.emulator.faults..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.vpccni.emulator.model..", "io.vpccni.emulator.api..", "com.sun.net.httpserver..")
        .check(MAIN);
  }

  @Test
  void namespaceCodeNeverUsesVirtualThreads() {
    noClasses()
        .that()
        .resideInAPackage("io.vpccni.emulator.dataplane..")
        .should()
        .callMethod(Thread.class, "ofVirtual")
        .because("netlink work must stay on platform threads (STYLE.md rule 2)")
        .check(MAIN);
  }

  @Test
  void theEmulatorRunsNoSubprocess() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .orShould()
        .callMethod(Runtime.class, "exec", String[].class)
        .orShould()
        .callMethod(Runtime.class, "exec", String.class)
        .because("namespaces, links, routes and sysctls go through netlink, not ip")
        .check(MAIN);
  }
}
