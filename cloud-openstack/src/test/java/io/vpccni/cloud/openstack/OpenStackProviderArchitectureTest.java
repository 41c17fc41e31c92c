package io.vpccni.cloud.openstack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The provider layer's dependencies (STYLE.md rules 3 and 13), held by the build. */
class OpenStackProviderArchitectureTest {
  private static final JavaClasses PROVIDER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.cloud.openstack")
          .that(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "in the provider package",
                  c -> c.getPackageName().equals("io.vpccni.cloud.openstack")));

  @Test
  void dependsOnTheSpiTheClientNetaddrAndTheJdkOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.vpccni.netaddr..",
            "io.vpccni.cloud",
            "io.vpccni.cloud.spi",
            "io.vpccni.cloud.openstack",
            "io.vpccni.cloud.openstack.api")
        .because("the provider adapts the client to the SPI; no Jackson, no logging, no policy")
        .check(PROVIDER);
  }
}
