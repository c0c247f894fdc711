package io.richard.nd4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the framework (issue 16, docs in README "Renamed in this version"): imports point down the list
 * kernels → activations, loss, optimiser → layers → network → training and files, never up, and no two packages
 * import each other.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.richard.api", "io.richard.nd4j");
    }

    @Test
    void kernelsImportNoLayerActivationLossOptimiserOrTrainingClass() {
        noClasses().that().resideInAPackage("io.richard.nd4j.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage("io.richard.nd4j", "io.richard.nd4j.layer..",
                        "io.richard.nd4j.activation..", "io.richard.nd4j.loss..", "io.richard.nd4j.optimize..",
                        "io.richard.nd4j.train..", "io.richard.nd4j.io..", "io.richard.nd4j.data..")
                .check(classes);
    }

    @Test
    void layersImportNoTrainingClassNorTheNetwork() {
        noClasses().that().resideInAPackage("io.richard.nd4j.layer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.richard.nd4j", "io.richard.nd4j.train..",
                        "io.richard.nd4j.io..", "io.richard.nd4j.data..")
                .check(classes);
    }

    @Test
    void activationsLossAndOptimiserImportNoLayerNetworkOrTraining() {
        noClasses().that().resideInAnyPackage("io.richard.nd4j.activation..", "io.richard.nd4j.loss..",
                        "io.richard.nd4j.optimize..")
                .should().dependOnClassesThat().resideInAnyPackage("io.richard.nd4j", "io.richard.nd4j.layer..",
                        "io.richard.nd4j.train..", "io.richard.nd4j.io..", "io.richard.nd4j.data..")
                .check(classes);
    }

    @Test
    void theApiImportsNoImplementation() {
        noClasses().that().resideInAPackage("io.richard.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.richard.nd4j..", "io.richard.cli..",
                        "org.nd4j.linalg.cpu..", "org.nd4j.nativeblas..", "org.nd4j.linalg.jcublas..", "org.bytedeco..")
                .check(classes);
    }

    /**
     * No cycles between the packages of richard-nd4j. (richard-api's two packages, the contracts and the model
     * description, refer to each other by design: a {@code Layer} returns its {@code LayerSpec}, a
     * {@code LayerSpec} computes {@code Shape}s; they ship as one module.)
     */
    @Test
    void noTwoPackagesImportEachOther() {
        JavaClasses implementation = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.richard.nd4j");
        slices().matching("io.richard.(**)").should().beFreeOfCycles().check(implementation);
    }
}
