package io.vpccni.cloud.openstack.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The thin client's house rules (STYLE.md rules 3, 13, 14), held by the build. */
class OpenStackApiArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.cloud.openstack.api");

  @Test
  void dependsOnTheJdkNetaddrAndJacksonOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..", "io.vpccni.netaddr..", "tools.jackson..", "io.vpccni.cloud.openstack.api..")
        .because("the API client is the bottom layer: no SPI, no policy, no other library")
        .check(MAIN);
  }

  @Test
  void doesNotLogSleepOrPrint() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.util.logging..", "org.slf4j..", "java.lang.System$Logger")
        .orShould()
        .callMethod(Thread.class, "sleep", long.class)
        .orShould()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .because("it throws typed errors and never waits or retries; policy lives above it")
        .check(MAIN);
  }
}
