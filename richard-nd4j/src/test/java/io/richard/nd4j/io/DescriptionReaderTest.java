package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.richard.api.ConfigException;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.nd4j.io.DescriptionReader.UnknownKeys;
import org.junit.jupiter.api.Test;

/** The one reading of a model description: the same leniency and the same located messages for every source. */
class DescriptionReaderTest {

    /** A description in the C++ program's layout: compact, sorted, no output type, a gpu key and a kept key. */
    private static final String CPP = "{\"classifier\":{\"network\":{\"gpu\":{\"maxWorkgroupSize\":64},\"hiddenLayers\":"
            + "[{\"dropoutRate\":0.0,\"learnRate\":0.5,\"learnRateDecay\":1.0,\"size\":3,\"type\":\"dense\"}],"
            + "\"hyperparams\":{\"batchSize\":10,\"epochs\":1,\"miniBatchSize\":2},\"outputLayer\":{\"learnRate\":0.5,"
            + "\"learnRateDecay\":1.0,\"size\":2}}},\"data\":{\"classes\":[\"a\",\"b\"],\"normalization\":{\"max\":10,"
            + "\"min\":0},\"shape\":[4,1,1]},\"dataLoader\":{\"fetchSize\":7},\"note\":\"kept by the C++ program\"}";

    private static ModelSpec read(String json, UnknownKeys unknown, List<String> notes) {
        return DescriptionReader.parseJson(json, "src").model("", Set.of(), unknown, notes);
    }

    @Test
    void theCppLayoutReadsWithNotesForWhatIsIgnored() {
        List<String> notes = new ArrayList<>();
        ModelSpec model = read(CPP, UnknownKeys.IGNORE, notes);
        assertEquals(new OutputLayerSpec(2, 0.5), model.network().outputLayer());
        assertEquals(List.of("src:1:27: classifier.network.gpu is ignored: it tunes the reference's Vulkan GPU path",
                "src:1:" + (CPP.indexOf("\"note\"") + 1) + ": note: unknown key 'note' ignored"), notes);
    }

    @Test
    void aConfigRejectsWhatANetworkFileIgnores() {
        String message = assertThrows(ConfigException.class, () -> read(CPP, UnknownKeys.REJECT, new ArrayList<>()))
                .getMessage();
        assertEquals("src:1:" + (CPP.indexOf("\"note\"") + 1) + ": note: unknown key 'note' (valid keys here:"
                + " classifier, data, dataLoader)", message);
    }

    @Test
    void errorsAreTheSameWhateverTheUnknownKeysPolicy() {
        String bad = CPP.replace("\"size\":3", "\"size\":\"3\"");
        int column = bad.indexOf("\"3\"") + 1;
        for (UnknownKeys unknown : UnknownKeys.values()) {
            assertEquals("src:1:" + column + ": classifier.network.hiddenLayers[0].size: expected a positive integer,"
                    + " got the string \"3\"", assertThrows(ConfigException.class,
                    () -> read(bad, unknown, new ArrayList<>())).getMessage(), unknown.name());
        }
        String fraction = CPP.replace("\"size\":2}", "\"size\":2.5}");
        assertEquals("src:1:" + (fraction.indexOf("2.5") + 1) + ": classifier.network.outputLayer.size: expected a"
                + " positive integer, got the number 2.5", assertThrows(ConfigException.class,
                () -> read(fraction, UnknownKeys.IGNORE, new ArrayList<>())).getMessage());
    }

    @Test
    void aDescriptionInsideAnotherDocumentIsLocatedThere() {
        String archive = "{\"format\": \"x\",\n \"model\": " + CPP.replace(",\"note\":\"kept by the C++ program\"", "")
                .replace("\"size\":3", "\"size\":0") + "}";
        String message = assertThrows(ConfigException.class, () -> DescriptionReader.parseJson(archive, "a.zip")
                .model("model", Set.of(), UnknownKeys.REJECT, new ArrayList<>())).getMessage();
        assertEquals("a.zip:2:" + (archive.indexOf("\"size\":0") - archive.indexOf('\n') + 7) + ": model.classifier"
                + ".network.hiddenLayers[0].size: dense layer: size must be a positive integer, got 0", message);
    }
}
