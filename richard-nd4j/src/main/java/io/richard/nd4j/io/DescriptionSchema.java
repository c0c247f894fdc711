package io.richard.nd4j.io;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.richard.api.Shape;
import io.richard.api.spec.LayerSpec;
import io.richard.api.spec.ModelSpec;
import io.richard.api.spec.OutputLayerSpec;
import io.richard.api.spec.Size2D;

/**
 * What each key of a model description takes, in words, for messages: worked out from the description records
 * themselves, so that a new key or a new kind of layer is described where it is declared. A key whose value is
 * a record is "a mapping with" that record's keys; a leaf key says what it takes in the
 * {@code @JsonPropertyDescription} of its record's creator parameter; the layer types are the subtypes
 * {@link LayerSpec} declares, and the types of any other family of records chosen by a {@code type} key (the
 * optimiser) are the subtypes its interface declares.
 */
final class DescriptionSchema {

    /** The words for each key (the last segment of a path). */
    private final Map<String, String> keys = new HashMap<>();
    /** The words for an element of a list or array under each key. */
    private final Map<String, String> elements = new HashMap<>();
    /** The words for a key under a given key ({@code optimizer.type}), where the key alone is ambiguous. */
    private final Map<String, String> qualified = new HashMap<>();
    private final String root;

    DescriptionSchema(ObjectMapper mapper) {
        this.root = mapping(ModelSpec.class);
        walk(mapper, mapper.constructType(ModelSpec.class));
        keys.put("type", "one of " + String.join(", ", hiddenLayerTypes()));
    }

    /** What the value at {@code path} should be, e.g. "a positive integer"; "a value" for a path it cannot tell. */
    String expected(String path) {
        if (path.isEmpty()) {
            return root;
        }
        String last = DescriptionReader.lastSegment(path);
        String parent = DescriptionReader.lastSegment(DescriptionReader.parentPath(path));
        if (last.startsWith("[")) {
            return elements.getOrDefault(parent, "a value");
        }
        return qualified.getOrDefault(parent + "." + last, keys.getOrDefault(last, "a value"));
    }

    /** The {@code type} values of a family of records chosen by their {@code type} key, in declaration order. */
    static List<String> types(Class<?> family) {
        List<String> types = new ArrayList<>();
        for (JsonSubTypes.Type type : family.getAnnotation(JsonSubTypes.class).value()) {
            types.add(type.name());
        }
        return types;
    }

    /** The {@code type} values of the layers a network's hiddenLayers may hold. */
    static List<String> hiddenLayerTypes() {
        List<String> types = new ArrayList<>();
        for (JsonSubTypes.Type type : LayerSpec.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() != OutputLayerSpec.class) {
                types.add(type.name());
            }
        }
        return types;
    }

    private void walk(ObjectMapper mapper, JavaType type) {
        BeanDescription bean = mapper.getDeserializationConfig().introspect(type);
        for (BeanPropertyDefinition property : bean.findProperties()) {
            String name = property.getName();
            JavaType value = property.getPrimaryType();
            Class<?> raw = value.getRawClass();
            String described = property.getMetadata().getDescription();
            if (raw != LayerSpec.class && raw.isAnnotationPresent(JsonSubTypes.class)) {
                // a family chosen by its type key (the optimiser): "a mapping with a type (…) and its keys"
                keys.putIfAbsent(name, "a mapping with a type (" + or(types(raw)) + ") and its keys");
                qualified.putIfAbsent(name + ".type", "one of " + String.join(", ", types(raw)));
                for (JsonSubTypes.Type member : raw.getAnnotation(JsonSubTypes.class).value()) {
                    walk(mapper, mapper.constructType(member.value()));
                }
            } else if (raw == LayerSpec.class || raw == Shape.class || raw == Size2D.class || raw.isPrimitive()
                    || raw.getName().startsWith("java.")) {
                if (value.isCollectionLikeType() && value.getContentType().getRawClass() == LayerSpec.class) {
                    keys.putIfAbsent(name, "a list of layers");
                    elements.putIfAbsent(name, "a layer: a mapping with a type (" + or(hiddenLayerTypes())
                            + ") and its keys");
                    for (JsonSubTypes.Type layer : LayerSpec.class.getAnnotation(JsonSubTypes.class).value()) {
                        walk(mapper, mapper.constructType(layer.value()));
                    }
                } else if (value.isCollectionLikeType()) {
                    elements.putIfAbsent(name, "a class label");
                } else if (raw == Shape.class || raw == Size2D.class) {
                    elements.putIfAbsent(name, "a positive integer");
                }
                if (described != null) {
                    keys.putIfAbsent(name, described);
                }
            } else {
                keys.putIfAbsent(name, mapping(raw));
                walk(mapper, value);
            }
        }
    }

    /** "a mapping with min and max": the keys the record's creator takes, in the record's order. */
    private static String mapping(Class<?> record) {
        List<String> names = new ArrayList<>(DescriptionReader.knownKeys(record));
        List<String> order = record.isRecord() ? Arrays.stream(record.getRecordComponents())
                .map(RecordComponent::getName).toList() : List.of();
        names.sort(Comparator.comparingInt(name -> order.contains(name) ? order.indexOf(name) : order.size()));
        return "a mapping with " + (record == ModelSpec.class ? "the keys " + String.join(", ", names) : and(names));
    }

    private static String and(Collection<String> words) {
        List<String> list = new ArrayList<>(words);
        if (list.size() < 2) {
            return String.join("", list);
        }
        return String.join(", ", list.subList(0, list.size() - 1)) + " and " + list.get(list.size() - 1);
    }

    private static String or(List<String> words) {
        return and(words).replace(" and ", " or ");
    }
}
