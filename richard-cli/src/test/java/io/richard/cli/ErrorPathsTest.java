package io.richard.cli;

import static io.richard.cli.Fixtures.args;
import static io.richard.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import io.richard.cli.Fixtures.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user error: exit status 2 and one line "richard: error: …" naming what is wrong, no stack trace. */
class ErrorPathsTest {

    @TempDir
    Path dir;

    /** Runs and checks the status and that standard error is exactly one error line; returns that line. */
    private static String fails(int status, String... args) {
        Result result = run(args);
        assertEquals(status, result.status(), result::toString);
        String[] lines = result.err().split("\n");
        String error = lines[lines.length - 1];
        assertTrue(error.startsWith("richard: error: "), result::toString);
        assertFalse(result.err().contains("\tat "), result::toString);
        return error.substring("richard: error: ".length());
    }

    private Path config(String text) throws IOException {
        Fixtures.csvProject(dir);
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, text);
        return file;
    }

    private String train(Path config, Object... more) {
        Object[] all = new Object[more.length + 5];
        all[0] = "train";
        all[1] = config;
        all[2] = "--model";
        all[3] = dir.resolve("m.richard");
        all[4] = "--progress=none";
        System.arraycopy(more, 0, all, 5, more.length);
        return fails(2, args(all));
    }

    @Test
    void unknownKeyWithSuggestionAndPosition() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG.replace("fetchSize: 7", "fetchsize: 7"));
        assertEquals(config + ":6:3: dataLoader.fetchsize: unknown key 'fetchsize'; did you mean 'fetchSize'?"
                + " (valid keys here: fetchSize)", train(config));
    }

    @Test
    void wrongType() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: 2.5"));
        assertEquals(config + ":9:27: classifier.network.hyperparams.epochs: expected an integer >= 0, got the number"
                + " 2.5", train(config));
    }

    @Test
    void missingKey() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG.replace("      - {type: dense, size: 6, learnRate: 0.5}",
                "      - {type: dense, size: 6}"));
        assertEquals(config + ":11:9: classifier.network.hiddenLayers[0]: missing required key 'learnRate';"
                + " expected a number", train(config));
    }

    @Test
    void csvErrorsNameFileAndLine() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG);
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,1,2,3,4\nb,1,2,3\n");
        assertEquals(bad + ":2: row has 3 values after the label, but data.shape needs 4 (expected LABEL,v1,…,v4)",
                train(config, "--data", bad));
        Files.writeString(bad, "a,1,2,3,4\nb,1,2,three,4\n");
        assertEquals(bad + ":2: field 4 ('three') is not a number", train(config, "--data", bad));
        Files.writeString(bad, "a,1,2,3,4\nc,1,2,3,4\n");
        assertEquals(bad + ":2: label 'c' is not one of data.classes [a, b]", train(config, "--data", bad));
        Files.writeString(bad, "a,1,2,3,4,5\n");
        assertTrue(train(config, "--data", bad).startsWith(bad + ":1: row has 5 values after the label"));
    }

    @Test
    void missingDataPath() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG);
        assertEquals(dir.resolve("nope.csv") + ": no such file or directory",
                train(config, "--data", dir.resolve("nope.csv")));
        Path noData = config(Fixtures.CSV_CONFIG.replace("  data: train.csv\n", ""));
        assertEquals("no training data: give --data PATH, or set training.data in " + noData, train(noData));
        assertEquals(dir.resolve("absent.yaml") + ": no such config file", train(dir.resolve("absent.yaml")));
    }

    @Test
    void imageOfTheWrongSizeUnlessResized() throws IOException {
        Path config = Fixtures.imageProject(dir);
        Path odd = dir.resolve("images/train/light/zz-odd.png");
        Fixtures.writePng(odd, 5, 4, 170, new Random(1));
        assertEquals(odd + ": image is 5×4 but data.shape [4, 4, 1] needs 4×4; resize the images or allow resizing"
                + " (training.resize: true, --resize)", train(config));
        Result resized = run(args("train", config, "--model", dir.resolve("m.richard"), "--progress=none", "--resize"));
        assertEquals(0, resized.status(), resized::toString);
        assertEquals("true", io.richard.nd4j.io.Models.load(dir.resolve("m.richard")).metadata().get("resize"));
    }

    @Test
    void colourImageForAGreyShapeAndAMissingClassFolder() throws IOException {
        Path config = Fixtures.imageProject(dir);
        BufferedImage colour = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        colour.setRGB(1, 1, 0xff0000);
        Path file = dir.resolve("images/train/dark/zz-colour.png");
        ImageIO.write(colour, "png", file.toFile());
        assertTrue(train(config).startsWith(file + ": colour image (pixel 1,1 is RGB 255,0,0)"));
        Files.delete(file);
        Files.move(dir.resolve("images/test/light"), dir.resolve("images/test/bright"));
        assertTrue(train(config).startsWith(dir.resolve("images/test/light") + ": no such directory"));
    }

    @Test
    void corruptOrMissingModelFile() throws IOException {
        Path config = Fixtures.csvProject(dir);
        Path model = dir.resolve("m.richard");
        assertEquals(0, run(args("train", config, "--model", model, "--progress=none")).status());
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.richard");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        String message = fails(2, args("eval", truncated, dir.resolve("test.csv")));
        assertTrue(message.contains(truncated.toString()), message);
        Path garbage = dir.resolve("garbage.richard");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertTrue(fails(2, args("eval", garbage, dir.resolve("test.csv"))).contains(garbage.toString()));
        assertTrue(fails(2, args("predict", dir.resolve("none.richard"), dir.resolve("test.csv")))
                .contains("none.richard"));
    }

    @Test
    void commandLineErrors() throws IOException {
        Path config = Fixtures.csvProject(dir);
        assertTrue(fails(2, "train").startsWith("Missing required parameter: 'CONFIG' (see 'richard train --help')"));
        assertTrue(fails(2, args("train", config, "--epoch", "3")).contains("Unknown options: '--epoch', '3'; did you mean --epochs?"));
        assertTrue(fails(2, "trian").contains("did you mean"));
        assertEquals("--epochs must be 0 or more, got -1", fails(2, args("train", config, "--epochs", "-1")));
        assertTrue(fails(2, args("train", config, "--epochs", "x")).contains("'x' is not an int"));
        assertTrue(fails(2, args("train", config, "--backend", "cuda")).startsWith(
                "the CUDA backend is not in this build"));
        assertEquals("unknown backend 'tpu'; expected cpu or cuda", fails(2, args("eval", "m", "d", "--backend", "tpu")));
        assertEquals("--format must be text or json, got 'xml'", fails(2, args("eval", "m", "d", "--format", "xml")));
    }

    @Test
    void verboseShowsTheStackTrace() throws IOException {
        Path config = config(Fixtures.CSV_CONFIG.replace("epochs: 2", "epochs: two"));
        Result result = run(args("train", config, "--verbose"));
        assertEquals(2, result.status());
        assertTrue(result.err().contains("richard: error: " + config + ":9:"), result::toString);
        assertTrue(result.err().contains("\tat "), result::toString);
    }

    @Test
    void unexpectedErrorsExitWithOne() {
        StringWriter err = new StringWriter();
        assertEquals(1, Errors.report(new IllegalStateException("boom"), new PrintWriter(err, true), false));
        assertEquals("richard: error: unexpected java.lang.IllegalStateException: boom (run with --verbose to see the"
                + " stack trace)\n", err.toString());
    }
}
