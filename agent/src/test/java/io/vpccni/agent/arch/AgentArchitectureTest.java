package io.vpccni.agent.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** House rules of ARCHITECTURE.md and STYLE.md rule 14 that the compiler cannot see. */
class AgentArchitectureTest {
  static final JavaClasses AGENT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vpccni.agent");

  @Test
  void noSubprocessesOnThePodPath() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("io.vpccni.agent.policy.Nft")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .because(
            "the agent configures pods with netlink, never by running `ip`; the one exception is"
                + " the nft tool, which applies a whole policy table in one transaction (until"
                + " nf_tables speaks netlink here too)")
        .check(AGENT);
  }

  @Test
  void agentNeverTalksToTheCloud() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.vpccni.cloud..")
        .because("nodes hold no cloud credentials (ARCHITECTURE.md)")
        .check(AGENT);
  }

  @Test
  void noRawStandardOutput() {
    noClasses()
        .should()
        .accessField(System.class, "out")
        .because("the agent logs through SLF4J; stdout belongs to nobody")
        .check(AGENT);
  }

  @Test
  void datapathsDoNotReachIntoTheServerOrEachOther() {
    noClasses()
        .that()
        .resideInAPackage("..agent.datapath..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..agent.server..", "..agent.cni..", "..agent.reconcile..")
        .check(AGENT);
    noClasses()
        .that()
        .resideInAPackage("..agent.datapath.veth..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("..agent.datapath.exclusive..")
        .check(AGENT);
  }
}
