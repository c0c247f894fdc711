package io.richard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One copy of each example config: the jar carries richard-examples/configs/mnist-*.yaml byte for byte, and
 * {@code init} prints it with only the lines that name repository paths changed.
 */
class ExampleConfigsTest {

    private static Path repositoryFile(Examples.Kind kind) {
        return Home.root().orElseThrow().resolve("richard-examples/configs/mnist-" + kind + ".yaml");
    }

    @ParameterizedTest
    @EnumSource(Examples.Kind.class)
    void theJarCarriesTheRepositorysExampleConfig(Examples.Kind kind) throws IOException {
        assertEquals(Files.readString(repositoryFile(kind)), Examples.text(kind));
    }

    @ParameterizedTest
    @EnumSource(Examples.Kind.class)
    void initChangesOnlyTheRepositoryPathsOfTheExample(Examples.Kind kind) throws IOException {
        List<String> example = Files.readAllLines(repositoryFile(kind));
        List<String> printed = List.of(InitCommand.template(kind, "/data/mnist").split("\n"));
        List<String> removed = new ArrayList<>(example);
        removed.removeAll(printed);
        List<String> added = new ArrayList<>(printed);
        added.removeAll(example);
        assertEquals(5, removed.size(), "the usage comment (3 lines) and the two data paths: " + removed);
        assertTrue(removed.stream().allMatch(line -> line.contains("richard-examples") || line.contains("../data/mnist")
                || line.equals("# From the repository root:")), removed.toString());
        assertEquals(List.of("# Train it:      richard train THIS_FILE        (progress, then the model in"
                        + " ./THIS_FILE_NAME.richard)", "# Evaluate it:   richard eval MODEL DATA",
                "  data: \"/data/mnist\"   # training samples: CSV file, image folder, IDX images file or MNIST folder",
                "  test: \"/data/mnist\"   # evaluated after every epoch (an MNIST folder gives its t10k files)"),
                added);
        assertFalse(String.join("\n", printed).contains("richard-examples"));
    }
}
