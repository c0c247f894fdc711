package io.richard.nd4j.io;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.richard.api.ConfigException;
import io.richard.api.ModelFormatException;
import io.richard.api.spec.ModelSpec;
import io.richard.nd4j.Network;
import io.richard.nd4j.io.ParameterLayout.Expected;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Richard's model file: a ZIP archive holding the model description and every parameter as a NumPy array.
 *
 * <pre>
 * richard-model.json      {"format": "richard-model", "formatVersion": 1,
 *                          "model": {data, dataLoader, classifier: {network: …}},   (the reference config structure)
 *                          "parameters": [{"layer": 0, "name": "W", "entry": "params/00-W.npy",
 *                                          "shape": [30, 784], "dtype": "float32"}, …],
 *                          "metadata": {"created": "…", "epochs": "10", …}}
 * params/00-W.npy         layer 0's W, NumPy .npy format 1.0, little-endian, C order
 * params/00-b.npy         layer 0's b
 * …
 * </pre>
 *
 * <p>Dense and output layers store {@code W} (n_out, n_in), with columns in the reference's input order, and
 * {@code b} (1, n_out); convolutional layers store {@code W} (D, C, kH, kW) and {@code b} (1, D). After unzipping,
 * {@code numpy.load("params/00-W.npy")} opens a parameter.
 *
 * <p>{@link #save} replaces the file atomically (a FIFO or a character device is written through: see
 * {@link OutputFiles}). {@link #load} trusts nothing in the file: every problem (not a
 * ZIP, missing or extra entries, unsafe entry names, a newer format, an invalid description, wrong shapes or
 * types, truncated or oversized arrays, corrupted bytes) is a {@link ModelFormatException} naming the file and
 * what is wrong, and no entry is read beyond the size its shape implies.
 */
public final class ModelArchive {

    /** The value of {@code format} in {@code richard-model.json}. */
    public static final String FORMAT = "richard-model";

    /** The archive format version this class writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    /** The name of the description entry. */
    public static final String DESCRIPTION_ENTRY = "richard-model.json";

    /** The folder of the parameter entries. */
    public static final String PARAMETER_FOLDER = "params/";

    /** The largest description entry accepted, in bytes. */
    static final int MAX_DESCRIPTION_BYTES = 16 << 20;

    /** The longest .npy prefix: magic, version and a 4-byte header length (format 2.0 and 3.0). */
    private static final int MAX_NPY_PREFIX = 12;

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private ModelArchive() {
    }

    /**
     * Saves a network, its description and {@code metadata} as a model archive, replacing {@code file}
     * atomically: the file is either the old one or the complete new one, never a mixture. A symbolic link is
     * followed; a FIFO or a character device is written through; a directory is refused ({@link OutputFiles}).
     *
     * <p>{@code created} (the current time) is added to the metadata unless it is given. Parameters are stored in
     * the network's data type, float32 or float64.
     *
     * @throws java.io.UncheckedIOException naming the file when it cannot be written
     */
    public static void save(Path file, Network network, Map<String, String> metadata) {
        Map<String, String> allMetadata = standardMetadata(metadata);
        OutputFiles.write(file, "model archive", out -> write(out, network, allMetadata, List.of()));
    }

    /** An entry written after the parameters: a name and what to write. */
    record Extra(String name, OutputFiles.Content content) {
    }

    /** The metadata {@link #save} writes: the time, the library version and {@code metadata}. */
    static Map<String, String> standardMetadata(Map<String, String> metadata) {
        Map<String, String> allMetadata = new LinkedHashMap<>();
        allMetadata.put("created", Instant.now().toString());
        String version = ModelArchive.class.getPackage().getImplementationVersion();
        if (version != null) {
            allMetadata.put("richardVersion", version);
        }
        if (metadata != null) {
            allMetadata.putAll(metadata);
        }
        return allMetadata;
    }

    static void write(OutputStream out, Network network, Map<String, String> metadata, List<Extra> extras)
            throws IOException {
        List<Expected> expected = ParameterLayout.expected(network.model());
        List<INDArray> values = new ArrayList<>();
        ObjectNode description = ModelJson.STRICT.createObjectNode();
        description.put("format", FORMAT);
        description.put("formatVersion", FORMAT_VERSION);
        description.set("model", ModelJson.toTree(network.model()));
        ArrayNode parameters = description.putArray("parameters");
        for (Expected parameter : expected) {
            INDArray value = ParameterLayout.value(network, parameter);
            values.add(value);
            ObjectNode entry = parameters.addObject();
            entry.put("layer", parameter.layer());
            entry.put("name", parameter.name());
            entry.put("entry", entryName(parameter));
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(parameter.shape()).forEach(shape::add);
            entry.put("dtype", dtypeName(Npy.storedType(value.dataType())));
        }
        ObjectNode metadataNode = description.putObject("metadata");
        metadata.forEach(metadataNode::put);

        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(DESCRIPTION_ENTRY));
            zip.write(ModelJson.STRICT.writerWithDefaultPrettyPrinter().writeValueAsBytes(description));
            zip.closeEntry();
            for (int i = 0; i < expected.size(); i++) {
                zip.putNextEntry(new ZipEntry(entryName(expected.get(i))));
                Npy.write(zip, values.get(i));
                zip.closeEntry();
            }
            for (Extra extra : extras) {
                zip.putNextEntry(new ZipEntry(extra.name()));
                extra.content().writeTo(zip);
                zip.closeEntry();
            }
        }
    }

    private static String entryName(Expected parameter) {
        return String.format("%s%02d-%s.npy", PARAMETER_FOLDER, parameter.layer(), parameter.name());
    }

    static String dtypeName(DataType type) {
        return type == DataType.DOUBLE ? "float64" : "float32";
    }

    /** Whether a file starts like a ZIP archive ({@code PK\003\004}); false if it cannot be read. */
    public static boolean isArchive(Path file) {
        return Arrays.equals(head(file, ZIP_MAGIC.length), ZIP_MAGIC);
    }

    /** The first {@code n} bytes of a file (fewer if it is shorter, none if it cannot be read). */
    static byte[] head(Path file, int n) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * Loads a model archive written by {@link #save}: the network with the stored parameters, in the data type
     * they were saved in, and the metadata.
     *
     * @throws ModelFormatException naming the file and the problem when the file is missing, is not a model
     *                              archive, comes from a newer version, or is damaged or inconsistent
     */
    public static SavedModel load(Path file) {
        return open(file, reader -> reader.read(0));
    }

    /** What to read from an open archive. */
    @FunctionalInterface
    interface ReadAction<T> {
        T read(Reader reader) throws IOException;
    }

    /** Opens an archive, checks its entry names and runs {@code action} on it, translating every failure. */
    static <T> T open(Path file, ReadAction<T> action) {
        return open(file, "model file", "a Richard model archive", action);
    }

    /**
     * {@link #open(Path, ReadAction)} for a kind of archive: {@code what} names it in messages about a missing file
     * ("checkpoint"), {@code kind} in messages about a foreign one ("a Richard checkpoint").
     */
    static <T> T open(Path file, String what, String kind, ReadAction<T> action) {
        checkReadable(file, what);
        if (!isArchive(file)) {
            throw new ModelFormatException(file + " is not " + kind + " (expected a ZIP file starting with"
                    + " PK…, found " + describeHead(head(file, 4)) + ")");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return action.read(new Reader(file, zip));
        } catch (ZipException e) {
            throw new ModelFormatException(file + " is damaged or truncated: its ZIP structure cannot be read ("
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model file " + file + ": " + e, e);
        }
    }

    /** Fails with a clear message for a file that does not exist or is not a regular file. */
    static void checkReadable(Path file) {
        checkReadable(file, "model file");
    }

    static void checkReadable(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file + " is a directory, not a " + what);
        }
        if (!Files.exists(file)) {
            throw new ModelFormatException(what + " " + file + " does not exist",
                    new NoSuchFileException(file.toString()));
        }
    }

    static String describeHead(byte[] head) {
        if (head.length == 0) {
            return "an empty file";
        }
        StringBuilder s = new StringBuilder("bytes");
        for (byte b : head) {
            s.append(String.format(" %02x", b & 0xff));
        }
        return s.toString();
    }

    /** One parameter as {@code richard-model.json} lists it. */
    private record Listed(int index, int layer, String name, String entry, long[] shape, DataType dataType) {
    }

    /** Reads and checks one open archive. */
    static final class Reader {
        private final Path file;
        private final ZipFile zip;
        private Set<String> entries;

        Reader(Path file, ZipFile zip) {
            this.file = file;
            this.zip = zip;
        }

        /** Whether the archive has an entry of this name. */
        boolean has(String name) {
            if (entries == null) {
                entries = entryNames();
            }
            return entries.contains(name);
        }

        /** A JSON object entry of at most {@link #MAX_DESCRIPTION_BYTES}, CRC-checked. */
        JsonNode json(String name) throws IOException {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null || entry.isDirectory()) {
                throw fail("has no " + name + " entry");
            }
            String where = entry.getName();
            JsonNode root;
            try {
                root = ModelJson.STRICT.readTree(readText(entry));
            } catch (JsonProcessingException e) {
                throw fail("has an entry " + where + " that is not valid JSON: " + ModelJson.describe(e));
            }
            if (root == null || !root.isObject()) {
                throw fail("has an entry " + where + " that is not a JSON object");
            }
            return root;
        }

        /** A .npy entry that must hold an array of this shape and type; never reads more than that implies. */
        INDArray array(String name, long[] shape, DataType type, String what) throws IOException {
            if (!has(name)) {
                throw fail("lacks the entry " + name + " (" + what + ")");
            }
            INDArray value = readArray(zip.getEntry(name), file + ", entry " + name, shape, type, what);
            ParameterLayout.requireFinite(file + ", entry " + name, what, value);
            return value;
        }

        /** The network and metadata, with the dropout seeds of a network created from {@code seed}. */
        SavedModel read(long seed) throws IOException {
            Set<String> entries = entryNames();
            this.entries = entries;
            ZipEntry descriptionEntry = zip.getEntry(DESCRIPTION_ENTRY);
            if (descriptionEntry == null || descriptionEntry.isDirectory()) {
                throw fail("has no " + DESCRIPTION_ENTRY + " entry; it is a ZIP file but not a Richard model archive");
            }
            DescriptionReader.Document description;
            try {
                // the model description is read as a config is (DescriptionReader), with located messages
                description = DescriptionReader.parseJson(readText(descriptionEntry),
                        file + " (entry " + DESCRIPTION_ENTRY + ")", Map.of("", "a JSON object with format,"
                        + " formatVersion, model, parameters and metadata"));
            } catch (ConfigException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
            JsonNode root = description.root();
            String format = root.path("format").asText("");
            if (!FORMAT.equals(format)) {
                throw fail("is not a Richard model archive: " + DESCRIPTION_ENTRY + " has format '" + format
                        + "', expected '" + FORMAT + "'");
            }
            JsonNode versionNode = root.get("formatVersion");
            if (versionNode == null || !versionNode.canConvertToInt() || !versionNode.isIntegralNumber()) {
                throw fail(DESCRIPTION_ENTRY + " has no integer formatVersion; expected " + FORMAT_VERSION);
            }
            int version = versionNode.intValue();
            if (version > FORMAT_VERSION) {
                throw fail("has model archive format version " + version + ", written by a newer Richard; this"
                        + " version reads format version " + FORMAT_VERSION + " at most. Upgrade Richard to load it");
            }
            if (version < 1) {
                throw fail(DESCRIPTION_ENTRY + " has formatVersion " + version + "; expected 1 to " + FORMAT_VERSION);
            }
            JsonNode modelNode = root.get("model");
            if (modelNode == null || !modelNode.isObject()) {
                throw fail(DESCRIPTION_ENTRY + " has no 'model' object (the model description)");
            }
            ModelSpec model;
            try {
                model = description.model("model", Set.of(), DescriptionReader.UnknownKeys.REJECT, new ArrayList<>());
            } catch (ConfigException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
            Map<String, String> metadata = metadata(root.get("metadata"));

            List<Listed> listed = listedParameters(root.get("parameters"));
            Map<Expected, Listed> matched = match(ParameterLayout.expected(model), listed);
            checkEntries(entries, matched.values());

            Map<Integer, Map<String, INDArray>> values = new HashMap<>();
            for (Map.Entry<Expected, Listed> parameter : matched.entrySet()) {
                INDArray value = readParameter(parameter.getKey(), parameter.getValue());
                values.computeIfAbsent(parameter.getKey().layer(), l -> new HashMap<>())
                        .put(parameter.getKey().name(), value);
            }
            try {
                return new SavedModel(ParameterLayout.build(model, values, seed), metadata, version);
            } catch (IllegalArgumentException e) {
                throw fail("holds parameters that do not fit its model description: " + e.getMessage());
            }
        }

        /** The names of all entries, checked for unsafe paths and duplicates. */
        private Set<String> entryNames() {
            Set<String> names = new HashSet<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                checkSafeName(name);
                if (!names.add(name)) {
                    throw fail("holds the entry '" + name + "' twice");
                }
            }
            return names;
        }

        private void checkSafeName(String name) {
            boolean unsafe = name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")
                    || Arrays.asList(name.split("[/\\\\]")).contains("..");
            if (unsafe) {
                throw fail("holds an entry with an unsafe name '" + name + "' (an absolute path or one containing"
                        + " '..'); refusing to load it");
            }
        }

        /** The text of a JSON entry of at most {@link #MAX_DESCRIPTION_BYTES}, CRC-checked. */
        private String readText(ZipEntry entry) throws IOException {
            String where = entry.getName();
            if (entry.getSize() > MAX_DESCRIPTION_BYTES) {
                throw fail("has a " + where + " of " + entry.getSize() + " bytes; at most " + MAX_DESCRIPTION_BYTES
                        + " are accepted");
            }
            byte[] bytes;
            CRC32 crc = new CRC32();
            try (InputStream in = new CheckedInputStream(
                    new BoundedInputStream(zip.getInputStream(entry), MAX_DESCRIPTION_BYTES + 1L), crc)) {
                bytes = in.readNBytes(MAX_DESCRIPTION_BYTES + 1);
            } catch (ZipException | EOFException e) {
                throw fail("has a damaged entry " + where + ": " + e.getMessage());
            }
            if (bytes.length > MAX_DESCRIPTION_BYTES) {
                throw fail("has a " + where + " larger than " + MAX_DESCRIPTION_BYTES + " bytes");
            }
            checkCrc(entry, crc);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private Map<String, String> metadata(JsonNode node) {
            Map<String, String> metadata = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return metadata;
            }
            if (!node.isObject()) {
                throw fail(DESCRIPTION_ENTRY + ": 'metadata' must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isValueNode() || field.getValue().isNull()) {
                    throw fail(DESCRIPTION_ENTRY + ": metadata." + field.getKey() + " must be a string, found "
                            + field.getValue().getNodeType().toString().toLowerCase());
                }
                metadata.put(field.getKey(), field.getValue().asText());
            }
            return metadata;
        }

        private List<Listed> listedParameters(JsonNode node) {
            if (node == null || !node.isArray()) {
                throw fail(DESCRIPTION_ENTRY + " has no 'parameters' array");
            }
            List<Listed> listed = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String at = DESCRIPTION_ENTRY + ": parameters[" + i + "]";
                if (!item.isObject()) {
                    throw fail(at + " must be an object {layer, name, entry, shape, dtype}");
                }
                JsonNode layer = item.get("layer");
                if (layer == null || !layer.isIntegralNumber() || !layer.canConvertToInt() || layer.intValue() < 0) {
                    throw fail(at + ".layer must be a layer index (an integer >= 0)");
                }
                String name = text(item, "name", at);
                String entry = text(item, "entry", at);
                checkSafeName(entry);
                JsonNode shapeNode = item.get("shape");
                if (shapeNode == null || !shapeNode.isArray()) {
                    throw fail(at + ".shape must be an array of integers");
                }
                long[] shape = new long[shapeNode.size()];
                for (int d = 0; d < shape.length; d++) {
                    if (!shapeNode.get(d).isIntegralNumber()) {
                        throw fail(at + ".shape must be an array of integers, found " + shapeNode);
                    }
                    shape[d] = shapeNode.get(d).longValue();
                }
                String dtype = text(item, "dtype", at);
                DataType type = switch (dtype) {
                    case "float32" -> DataType.FLOAT;
                    case "float64" -> DataType.DOUBLE;
                    default -> throw fail(at + ".dtype is '" + dtype + "'; expected 'float32' or 'float64'");
                };
                listed.add(new Listed(i, layer.intValue(), name, entry, shape, type));
            }
            return listed;
        }

        private String text(JsonNode item, String key, String at) {
            JsonNode value = item.get(key);
            if (value == null || !value.isTextual()) {
                throw fail(at + "." + key + " must be a string");
            }
            return value.asText();
        }

        /** Pairs every parameter the description implies with its listing; fails on missing or extra ones. */
        private Map<Expected, Listed> match(List<Expected> expected, List<Listed> listed) {
            Map<String, Listed> byKey = new LinkedHashMap<>();
            for (Listed parameter : listed) {
                Listed before = byKey.put(parameter.layer() + "/" + parameter.name(), parameter);
                if (before != null) {
                    throw fail(DESCRIPTION_ENTRY + " lists parameter " + parameter.name() + " of layer "
                            + parameter.layer() + " twice (parameters[" + before.index() + "] and parameters["
                            + parameter.index() + "])");
                }
            }
            Map<Expected, Listed> matched = new LinkedHashMap<>();
            for (Expected parameter : expected) {
                Listed listing = byKey.remove(parameter.layer() + "/" + parameter.name());
                if (listing == null) {
                    throw fail(DESCRIPTION_ENTRY + " does not list " + parameter.describe() + " (layer "
                            + parameter.layer() + ", shape " + Npy.shapeText(parameter.shape()) + ")");
                }
                if (!Arrays.equals(listing.shape(), parameter.shape())) {
                    throw fail(DESCRIPTION_ENTRY + " gives " + parameter.describe() + " the shape "
                            + Npy.shapeText(listing.shape()) + ", but the model description implies "
                            + Npy.shapeText(parameter.shape()));
                }
                matched.put(parameter, listing);
            }
            if (!byKey.isEmpty()) {
                throw fail(DESCRIPTION_ENTRY + " lists unexpected parameters that the model description does not have: "
                        + byKey.values().stream().map(p -> "layer " + p.layer() + " '" + p.name() + "' (" + p.entry()
                        + ")").collect(Collectors.joining(", ")));
            }
            Set<DataType> types = matched.values().stream().map(Listed::dataType).collect(Collectors.toSet());
            if (types.size() > 1) {
                throw fail(DESCRIPTION_ENTRY + " mixes float32 and float64 parameters; a network has one data type");
            }
            return matched;
        }

        /** Every listed entry must exist, once; no unlisted parameter entry may be present. */
        private void checkEntries(Set<String> entries, Iterable<Listed> listed) {
            Set<String> referenced = new HashSet<>();
            for (Listed parameter : listed) {
                if (!referenced.add(parameter.entry())) {
                    throw fail(DESCRIPTION_ENTRY + " uses the entry " + parameter.entry() + " for two parameters");
                }
                if (!entries.contains(parameter.entry())) {
                    throw fail("lacks the entry " + parameter.entry() + " (parameter " + parameter.name() + " of layer "
                            + parameter.layer() + ")");
                }
            }
            for (String entry : entries) {
                if (entry.startsWith(PARAMETER_FOLDER) && !entry.endsWith("/") && !referenced.contains(entry)) {
                    throw fail("holds an unexpected parameter entry " + entry + " that " + DESCRIPTION_ENTRY
                            + " does not list");
                }
            }
        }

        /** Reads one .npy entry, never more bytes than its header and expected shape allow. */
        private INDArray readParameter(Expected expected, Listed listed) throws IOException {
            INDArray value = readArray(zip.getEntry(listed.entry()), file + ", entry " + listed.entry(),
                    expected.shape(), listed.dataType(), expected.describe());
            ParameterLayout.requireFinite(file + ", entry " + listed.entry(), expected, value);
            return value;
        }

        private INDArray readArray(ZipEntry entry, String where, long[] shape, DataType type, String what)
                throws IOException {
            long dataBytes = new Npy.Header(type, shape, false).dataBytes();
            long limit = MAX_NPY_PREFIX + Npy.MAX_HEADER_BYTES + dataBytes;
            String needs = "shape " + Npy.shapeText(shape) + " of " + dtypeName(type)
                    + " needs " + dataBytes + " data bytes";
            if (entry.getSize() > limit) {
                throw new ModelFormatException(where + " is " + entry.getSize() + " bytes uncompressed, but " + needs
                        + " plus a header of at most " + (limit - dataBytes) + " bytes; refusing to read it");
            }
            CRC32 crc = new CRC32();
            try (InputStream in = new CheckedInputStream(
                    new BoundedInputStream(zip.getInputStream(entry), limit + 1), crc)) {
                Npy.Header header = Npy.readHeader(in, where);
                if (header.dataType() != type) {
                    throw new ModelFormatException(where + ": the array is " + dtypeName(header.dataType()) + " but "
                            + DESCRIPTION_ENTRY + " says " + dtypeName(type));
                }
                if (!Arrays.equals(header.shape(), shape)) {
                    throw new ModelFormatException(where + ": " + what + " has shape "
                            + header.shapeText() + " in the file, but the model description implies "
                            + Npy.shapeText(shape));
                }
                INDArray value = Npy.readData(in, header, where);
                if (in.read() != -1) {
                    throw new ModelFormatException(where + " has more bytes than its " + needs
                            + "; the entry is damaged or not the array " + DESCRIPTION_ENTRY + " describes");
                }
                checkCrc(entry, crc);
                return value;
            } catch (ZipException | EOFException e) {
                throw new ModelFormatException(where + " is damaged: " + e.getMessage(), e);
            }
        }

        private void checkCrc(ZipEntry entry, CRC32 crc) {
            if (entry.getCrc() != -1 && entry.getCrc() != crc.getValue()) {
                throw fail("has a corrupt entry " + entry.getName() + ": its CRC-32 is "
                        + String.format("%08x", crc.getValue()) + ", the archive records "
                        + String.format("%08x", entry.getCrc()));
            }
        }

        ModelFormatException fail(String problem) {
            return new ModelFormatException(file + " " + problem);
        }
    }

    /** A stream that ends after {@code limit} bytes whatever the underlying stream holds. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
