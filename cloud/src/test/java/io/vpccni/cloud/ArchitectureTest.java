package io.vpccni.cloud;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The module's house rules (STYLE.md rules 11, 12, 13), held by the build. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.cloud");

  @Test
  void theCloudSpiDoesNotLog() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.slf4j..", "java.util.logging..", "ch.qos.logback..")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(System.Logger.class)
        .orShould()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .because("mechanism throws CloudException; the controller logs (STYLE rule 13)")
        .check(MAIN);
  }

  @Test
  void onlyTheSleeperSleeps() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("io.vpccni.cloud.retry.Sleeper")
        .should()
        .callMethod(Thread.class, "sleep", long.class)
        .orShould()
        .callMethod(Thread.class, "sleep", Duration.class)
        .because("waits go through the injectable Sleeper: one retry policy, no sleep loops")
        .check(MAIN);
  }

  @Test
  void theSpiPackageSeesOnlyTheApi() {
    noClasses()
        .that()
        .resideInAPackage("io.vpccni.cloud.spi")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vpccni.cloud.retry", "io.vpccni.cloud.ratelimit")
        .check(MAIN);
  }

  @Test
  void retryAndRateLimitDoNotKnowTheVpcApi() {
    noClasses()
        .that()
        .resideInAnyPackage("io.vpccni.cloud.retry", "io.vpccni.cloud.ratelimit")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(VpcApi.class, Eni.class, Instance.class, Subnet.class)
        .because("the retry policy also serves sockets and watches (STYLE rule 12)")
        .check(MAIN);
  }
}
