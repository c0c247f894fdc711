package io.richard.nd4j.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The few ONNX protobuf messages an export needs, written by hand in the protobuf wire format: a field is its number
 * and wire type as a varint (number × 8 + type), then a varint (type 0) or a length and bytes (type 2: strings, bytes,
 * nested messages). Fields go out in field-number order and repeated integers unpacked, as protobuf-java writes
 * ONNX's proto2 messages. Field numbers are those of {@code onnx.proto} (ONNX 1.12, IR version 8); the names below
 * are its message and field names.
 */
public final class OnnxProto {

    /** {@code TensorProto.DataType} values. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    /** {@code AttributeProto.AttributeType} values. */
    public static final int ATTRIBUTE_INT = 2;
    public static final int ATTRIBUTE_INTS = 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A varint field (wire type 0): int32, int64, enum. */
    public OnnxProto varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    /** A length-delimited field (wire type 2): bytes. */
    public OnnxProto bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A string field, UTF-8. */
    public OnnxProto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A nested message field. */
    public OnnxProto message(int field, OnnxProto value) {
        return bytes(field, value.toByteArray());
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public int size() {
        return out.size();
    }

    private void tag(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    // ------------------------------------------------------------------------------------------- ONNX messages

    /** {@code OperatorSetIdProto}: domain 1, version 2. */
    public static OnnxProto opset(String domain, long version) {
        return new OnnxProto().string(1, domain).varint(2, version);
    }

    /** {@code StringStringEntryProto}: key 1, value 2. */
    public static OnnxProto entry(String key, String value) {
        return new OnnxProto().string(1, key).string(2, value);
    }

    /** {@code TensorProto} of float32 values: dims 1, data_type 2, name 8, raw_data 9 (little-endian). */
    public static OnnxProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor(name, dims, FLOAT, raw.array());
    }

    /** {@code TensorProto} of int64 values. */
    public static OnnxProto int64Tensor(String name, long[] dims, long[] values) {
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return tensor(name, dims, INT64, raw.array());
    }

    private static OnnxProto tensor(String name, long[] dims, int dataType, byte[] raw) {
        OnnxProto tensor = new OnnxProto();
        for (long d : dims) {
            tensor.varint(1, d);
        }
        return tensor.varint(2, dataType).string(8, name).bytes(9, raw);
    }

    /** {@code AttributeProto} holding one int: name 1, i 3, type 20. */
    public static OnnxProto intAttribute(String name, long value) {
        return new OnnxProto().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    /** {@code AttributeProto} holding ints: name 1, ints 8, type 20. */
    public static OnnxProto intsAttribute(String name, long... values) {
        OnnxProto attribute = new OnnxProto().string(1, name);
        for (long v : values) {
            attribute.varint(8, v);
        }
        return attribute.varint(20, ATTRIBUTE_INTS);
    }

    /** {@code NodeProto}: input 1, output 2, name 3, op_type 4, attribute 5. */
    public static OnnxProto node(String name, String opType, String[] inputs, String output, OnnxProto... attributes) {
        OnnxProto node = new OnnxProto();
        for (String input : inputs) {
            node.string(1, input);
        }
        node.string(2, output).string(3, name).string(4, opType);
        for (OnnxProto attribute : attributes) {
            node.message(5, attribute);
        }
        return node;
    }

    /**
     * {@code ValueInfoProto} of a float32 tensor: name 1, type 2 ({@code TypeProto.tensor_type} 1: elem_type 1, shape
     * 2 of {@code Dimension}s 1, each a dim_value 1 or, for a negative size here, the dim_param 2 {@code "N"}).
     */
    public static OnnxProto floatValue(String name, long[] shape, String doc) {
        OnnxProto dims = new OnnxProto();
        for (long d : shape) {
            dims.message(1, d < 0 ? new OnnxProto().string(2, "N") : new OnnxProto().varint(1, d));
        }
        OnnxProto tensorType = new OnnxProto().varint(1, FLOAT).message(2, dims);
        return new OnnxProto().string(1, name).message(2, new OnnxProto().message(1, tensorType)).string(3, doc);
    }
}
