package io.richard.nd4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.richard.api.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyTest {

    /** The exact bytes numpy.save writes for np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4'). */
    @Test
    void writesTheBytesNumpyWrites() throws IOException {
        INDArray array = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0});
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        expected.write(dict.getBytes(StandardCharsets.US_ASCII));
        expected.write(" ".repeat(118 - dict.length() - 1).getBytes(StandardCharsets.US_ASCII));
        expected.write('\n');
        expected.write(new byte[] {
            0, 0, (byte) 0x80, 0x3f,   // 1.0f
            0, 0, 0, 0x40,             // 2.0f
            0, 0, 0x40, 0x40,          // 3.0f
            0, 0, (byte) 0x80, 0x40,   // 4.0f
            0, 0, (byte) 0xa0, 0x40,   // 5.0f
            0, 0, (byte) 0xc0, 0x40,   // 6.0f
        });

        byte[] written = Npy.toBytes(array);
        assertArrayEquals(expected.toByteArray(), written);
        assertEquals(152, written.length);
        assertEquals(0, (10 + 118) % 64, "the data starts at a multiple of 64 bytes");
    }

    @Test
    void headersArePaddedToSixtyFourBytesLikeNumpy() {
        // numpy.save of a (1, 100000) float64 array and of a (3,) float32 array both use a 128-byte header.
        byte[] wide = Npy.headerBytes(DataType.DOUBLE, new long[] {1, 100_000});
        assertEquals(128, wide.length);
        assertTrue(new String(wide, StandardCharsets.US_ASCII)
                .contains("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 100000), }"));
        byte[] vector = Npy.headerBytes(DataType.FLOAT, new long[] {3});
        assertEquals(128, vector.length);
        assertTrue(new String(vector, StandardCharsets.US_ASCII).contains("'shape': (3,), }"));
        assertEquals('\n', vector[vector.length - 1]);
    }

    @Test
    void roundTripsFloat32AndFloat64BitForBit() throws IOException {
        Nd4j.getRandom().setSeed(5);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray array = Nd4j.randn(type, 3, 4, 2, 5);
            INDArray back = Npy.read(new ByteArrayInputStream(Npy.toBytes(array)), "test");
            IoFixtures.assertBitIdentical(array, back);
        }
    }

    @Test
    void writesViewsAndFortranOrderedArraysInCOrder() throws IOException {
        INDArray base = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'c');
        INDArray transposed = base.transpose();
        INDArray back = Npy.read(new ByteArrayInputStream(Npy.toBytes(transposed)), "test");
        assertArrayEquals(new long[] {3, 2}, back.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.reshape(6).toFloatVector());
    }

    @Test
    void readsFortranOrderFilesAsNumpyMeansThem() throws IOException {
        // numpy.save(np.asfortranarray([[1, 2, 3], [4, 5, 6]], dtype='<f4')) stores the columns one after another.
        byte[] header = npyHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }");
        byte[] data = floats(1, 4, 2, 5, 3, 6);
        INDArray array = Npy.read(new ByteArrayInputStream(concat(header, data)), "test");
        assertArrayEquals(new float[] {1, 2, 3}, array.getRow(0).toFloatVector());
        assertArrayEquals(new float[] {4, 5, 6}, array.getRow(1).toFloatVector());
    }

    @Test
    void rejectsBadMagicVersionHeaderAndType() {
        byte[] good = Npy.toBytes(Nd4j.ones(DataType.FLOAT, 2, 2));

        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertMessage(badMagic, "src: not a NumPy .npy array (expected the magic bytes");

        byte[] badVersion = good.clone();
        badVersion[6] = 9;
        assertMessage(badVersion, "src: unsupported .npy format version 9.0");

        assertMessage(npyHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }"),
                "src: unsupported .npy data type '<i4'; expected '<f4' (little-endian float32) or '<f8'");
        assertMessage(npyHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }"),
                "unsupported .npy data type '>f4'");
        assertMessage(npyHeader("{'descr': '<f4', 'shape': (2, 2), }"),
                "src: .npy header lacks 'descr', 'fortran_order' or 'shape'");
        assertMessage(npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }"),
                "src: .npy header has an invalid shape (2, x)");
        assertMessage(npyHeader("not a dict"), "src: .npy header is not a dictionary");
        assertMessage(new byte[0], "not a NumPy .npy array (expected the magic bytes \\x93NUMPY, found no bytes)");
    }

    @Test
    void rejectsTruncatedHeaderAndData() {
        byte[] good = Npy.toBytes(Nd4j.ones(DataType.FLOAT, 2, 2));
        assertMessage(Arrays.copyOf(good, 9), "src: .npy file is truncated inside its header");
        assertMessage(Arrays.copyOf(good, 100), "src: .npy file is truncated inside its header (expected 118 header"
                + " bytes, found 90)");
        assertMessage(Arrays.copyOf(good, good.length - 3),
                "src: .npy data is truncated: shape (2, 2) of float32 needs 16 bytes, found 13");
    }

    private static void assertMessage(byte[] bytes, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(bytes), "src"));
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }

    /** A version 1.0 header around the given dictionary text, padded as NumPy pads it. */
    static byte[] npyHeader(String dict) {
        int length = dict.length() + 1;
        int padding = (64 - (10 + length) % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        byte[] header = new byte[10 + text.length()];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, 0, header, 0, 8);
        header[8] = (byte) text.length();
        header[9] = (byte) (text.length() >> 8);
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, header, 10, text.length());
        return header;
    }

    static byte[] floats(float... values) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4 * values.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
