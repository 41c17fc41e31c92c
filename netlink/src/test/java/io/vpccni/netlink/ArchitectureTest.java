package io.vpccni.netlink;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The module's house rules (STYLE.md rules 2, 13, 14), held by the build. No root needed. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.netlink");

  @Test
  void onlyTheFfmPackageTouchesNativeCode() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage("io.vpccni.netlink.internal.ffm")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("java.lang.foreign")
            .because("all downcalls and native memory live in netlink.internal.ffm");
    rule.check(MAIN);
  }

  @Test
  void namespaceCodeNeverUsesVirtualThreads() {
    noClasses()
        .should()
        .callMethod(Thread.class, "ofVirtual")
        .orShould()
        .callMethod(Thread.class, "startVirtualThread", Runnable.class)
        .because("setns from a virtual thread would move whichever carrier thread runs it")
        .check(MAIN);
  }

  @Test
  void noSubprocessesNoLoggingNoConsole() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .orShould()
        .callMethodWhere(
            com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("exec")))
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("java.util.logging..", "org.slf4j..", "java.lang.System$Logger")
        .orShould()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .because("netlink throws typed errors and never logs or shells out to ip")
        .check(MAIN);
  }

  @Test
  void dependsOnlyOnTheJdkAndNetaddr() {
    noClasses()
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("io.vpccni..")
                .and(
                    JavaClass.Predicates.resideOutsideOfPackages(
                        "io.vpccni.netlink..", "io.vpccni.netaddr..")))
        .check(MAIN);
  }
}
