package io.richard.nd4j.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.richard.api.ConfigException;
import io.richard.api.ModelFormatException;
import io.richard.api.spec.ModelSpec;

/**
 * The JSON side of the model files: a {@link ModelSpec} as a tree in the reference's config structure, and
 * messages about JSON problems. Reading a model description back is {@link DescriptionReader}'s.
 */
final class ModelJson {

    /** Writes the model files' JSON; reading a model description is {@link DescriptionReader}'s. */
    static final ObjectMapper STRICT = new ObjectMapper();

    private ModelJson() {
    }

    /** The model description as a JSON tree in the reference's config structure; every layer carries its {@code type}. */
    static ObjectNode toTree(ModelSpec model) {
        return STRICT.valueToTree(model);
    }

    /** A copy of a tree with the keys of every object in alphabetical order, as the reference writes its config. */
    static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode copy = STRICT.createObjectNode();
            for (String name : names) {
                copy.set(name, sorted(object.get(name)));
            }
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = STRICT.createArrayNode();
            array.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }

    /** One line about a JSON mapping problem: the configuration error it wraps, or the field and the problem. */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                String path = error instanceof JsonMappingException mapping ? path(mapping) : "";
                return (path.isEmpty() ? "" : "at " + path + ": ") + config.getMessage();
            }
        }
        if (error instanceof JsonMappingException mapping) {
            String path = path(mapping);
            return (path.isEmpty() ? "" : "at " + path + ": ") + mapping.getOriginalMessage();
        }
        if (error instanceof JsonProcessingException processing) {
            String location = processing.getLocation() == null ? ""
                    : " (line " + processing.getLocation().getLineNr() + ", column "
                    + processing.getLocation().getColumnNr() + ")";
            return clean(processing.getOriginalMessage()) + location;
        }
        return String.valueOf(error.getMessage());
    }

    /**
     * Jackson's message without its internals: "(start marker at [Source: REDACTED (…); line: 39, column: 20])"
     * becomes "(opened at line 39, column 20)", and only the first line is kept.
     */
    static String clean(String message) {
        if (message == null) {
            return "unknown problem";
        }
        String text = message.replaceAll("start marker at \\[Source: [^;]*; line: (\\d+), column: (\\d+)]",
                "opened at line $1, column $2");
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).trim();
    }

    /** The JSON path of a mapping problem, e.g. {@code classifier.network.hiddenLayers[1].size}. */
    private static String path(JsonMappingException error) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : error.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
