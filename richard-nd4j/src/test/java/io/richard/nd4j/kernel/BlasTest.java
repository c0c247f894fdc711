package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The direct CBLAS products agree with ND4J's own, in both precisions, for every case the layers use. */
class BlasTest {

    static Stream<Arguments> cases() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type -> Stream.of(
                Arguments.of(type, 5, 7, 3, false, false), Arguments.of(type, 5, 7, 3, true, false),
                Arguments.of(type, 5, 7, 3, false, true), Arguments.of(type, 5, 7, 3, true, true),
                Arguments.of(type, 1, 7, 9, false, false), Arguments.of(type, 1, 7, 9, true, false),
                Arguments.of(type, 1, 7, 9, false, true), Arguments.of(type, 1, 7, 9, true, true),
                Arguments.of(type, 6, 4, 1, false, false), Arguments.of(type, 6, 1, 4, false, false)));
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5}")
    @MethodSource("cases")
    void gemmMatchesNd4jOnViewsWithOffsets(DataType type, int m, int n, int k, boolean transA, boolean transB) {
        Nd4j.getRandom().setSeed(m * 100 + n * 10 + k);
        // every operand is a row range of a larger matrix, so it starts at an offset and may have a wider stride
        INDArray A = rows(Nd4j.rand(type, (transA ? k : m) + 3, transA ? m : k), 2, transA ? k : m);
        INDArray B = rows(Nd4j.rand(type, (transB ? n : k) + 2, transB ? k : n), 1, transB ? n : k);
        INDArray C = rows(Nd4j.rand(type, m + 4, n), 3, m);
        INDArray expected = Nd4j.gemm(A, B, transA, transB).mul(0.5).add(C.mul(0.25));

        Blas.gemm(A, transA, B, transB, C, 0.5, 0.25);

        assertTrue(expected.equalsWithEps(C, type == DataType.FLOAT ? 1e-5 : 1e-12), expected + " vs " + C);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void gemmOnJoinedAndEveryOtherRowsMatchesExplicitCopies(DataType type) {
        Nd4j.getRandom().setSeed(7);
        INDArray X = Nd4j.rand(type, 20, 3);
        INDArray W = Nd4j.rand(type, 6, 4);
        INDArray Z = Nd4j.rand(type, 14, 4);
        // rows 3…14 of X joined in runs of 2: row q = X[3 + 2q] followed by X[4 + 2q], a (6, 6) matrix
        Blas.Matrix A = Blas.Matrix.of(X).rows(3, 12).joinRows(2);
        INDArray joined = Nd4j.create(type, 6, 6);
        for (int q = 0; q < 6; q++) {
            joined.putRow(q, Nd4j.concat(0, X.getRow(3 + 2 * q), X.getRow(4 + 2 * q)));
        }
        // rows 1, 3, 5, …, 11 of Z
        Blas.Matrix C = Blas.Matrix.of(Z).rows(1, 12).everyRow(2);
        INDArray expected = Z.dup();
        for (int q = 0; q < 6; q++) {
            expected.putRow(1 + 2 * q, joined.getRow(q).reshape(1, 6).mmul(W).mul(0.5).add(Z.getRow(1 + 2 * q).mul(2)));
        }
        assertTrue(joined.equalsWithEps(A.view(), 0.0), "the view of a joined matrix: " + A.view());

        Blas.gemm(A, false, Blas.Matrix.of(W), false, C, 0.5, 2.0);

        assertTrue(expected.equalsWithEps(Z, type == DataType.FLOAT ? 1e-5 : 1e-12), expected + " vs " + Z);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void axpyAndDotMatchNd4j(DataType type) {
        INDArray x = Nd4j.rand(type, 4, 5).subi(0.5);
        INDArray y = Nd4j.rand(type, 4, 5).subi(0.5);
        double dot = x.mul(y).sumNumber().doubleValue();
        INDArray expected = y.add(x.mul(-2.0));
        assertTrue(Math.abs(Blas.dot(x, y) - dot) < 1e-5);
        assertTrue(expected.equalsWithEps(Blas.axpy(-2.0, x, y), 1e-6), y.toString());
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void zeroClearsARegionWithGapsNaNIncludedAndNothingElse(DataType type) {
        INDArray array = Nd4j.rand(type, 6, 5).addi(1);                  // every element in [1, 2)
        INDArray before = array.dup();
        rows(array, 1, 4).putScalar(new long[] {1, 3}, Double.NaN);       // row 2, column 3: inside the region
        // rows 1…4, columns 2…3: four runs of two elements, five apart
        Blas.zero(new Blas.Matrix(array, 1 * 5 + 2, 4, 2, 5));
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 5; c++) {
                double expected = r >= 1 && r <= 4 && c >= 2 && c <= 3 ? 0.0 : before.getDouble(r, c);
                assertTrue(expected == array.getDouble(r, c), "(" + r + ", " + c + "): " + array.getDouble(r, c));
            }
        }
    }

    /** Both precisions at the sizes where OpenBLAS's SkylakeX gemm was seen to compute 0 · NaN for alpha = 0. */
    static Stream<Arguments> sizes() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type -> Stream.of(4, 13, 32, 100, 300)
                .map(n -> Arguments.of(type, n)));
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void zeroWritesZerosOverNaNWithoutReadingTheRegion(DataType type, int n) {
        INDArray array = Nd4j.valueArrayOf(new long[] {n + 2, n + 3}, Double.NaN, type);
        // rows 1…n, columns 1…n+1 of a (n+2, n+3) matrix of NaN
        Blas.zero(new Blas.Matrix(array, (n + 3) + 1, n, n + 1, n + 3));
        for (int r = 0; r < n + 2; r++) {
            for (int c = 0; c < n + 3; c++) {
                boolean inside = r >= 1 && r <= n && c >= 1 && c <= n + 1;
                double value = array.getDouble(r, c);
                assertTrue(inside ? value == 0.0 : Double.isNaN(value), "(" + r + ", " + c + "): " + value);
            }
        }
    }

    /**
     * BLAS: "when beta is zero, C need not be set on input". The layers rely on it for every product that
     * overwrites a reused array (∇W, ∇b, ∇a of the dense layer, the convolution's first kernel-gradient product):
     * NaN in C must not reach the result, for products (m &gt; 1) and matrix-vector products (m = 1) alike.
     */
    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void gemmWithBetaZeroNeverReadsC(DataType type, int n) {
        Nd4j.getRandom().setSeed(n);
        for (int m : new int[] {1, 3, n}) {
            for (boolean transA : new boolean[] {false, true}) {
                INDArray A = transA ? Nd4j.rand(type, n, m) : Nd4j.rand(type, m, n);
                INDArray B = Nd4j.rand(type, n, n + 1);
                INDArray C = Nd4j.valueArrayOf(new long[] {m, n + 1}, Double.NaN, type);
                INDArray expected = Nd4j.gemm(A.dup(), B.dup(), transA, false);

                Blas.gemm(A, transA, B, false, C, 1.0, 0.0);

                assertTrue(expected.equalsWithEps(C, type == DataType.FLOAT ? 1e-4 : 1e-10),
                        "m=" + m + " transA=" + transA + ": " + C);
            }
        }
    }

    /**
     * The ND4J route (types BLAS has no routine for, other backends) copies the same elements as the CBLAS one, also
     * between regions of arrays that are views starting inside their buffers (columns taken with get).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"FLOAT", "INT"})
    void copyBetweenRegionsOfViewsThatStartInsideTheirBuffers(DataType type) {
        INDArray source = Nd4j.arange(0, 48).reshape(6, 8).castTo(type);
        INDArray target = Nd4j.zeros(type, 6, 8);
        // columns 2…7 of each: views whose first element is 2 elements into their buffers; rows 1…3, columns 1…4 of those
        INDArray from = source.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 8));
        INDArray to = target.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 8));
        Blas.Matrix a = Blas.Matrix.of(from);
        Blas.Matrix b = Blas.Matrix.of(to);
        Blas.copy(new Blas.Matrix(from, a.position() + a.ld() + 1, 3, 4, a.ld()),
                new Blas.Matrix(to, b.position() + b.ld() + 1, 3, 4, b.ld()));
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 8; c++) {
                double expected = r >= 1 && r <= 3 && c >= 3 && c <= 6 ? source.getDouble(r, c) : 0;
                assertTrue(expected == target.getDouble(r, c), type + " (" + r + ", " + c + "): " + target.getDouble(r, c));
            }
        }
    }

    /**
     * A matrix that would reach past its array's buffer is refused when it is made, before any raw address is
     * read or written: the last element of the last row, counted from a view that starts inside its buffer.
     */
    @org.junit.jupiter.api.Test
    void aMatrixReachingPastItsBufferIsRefused() {
        INDArray view = Nd4j.zeros(DataType.FLOAT, 4, 6).get(NDArrayIndex.interval(1, 4), NDArrayIndex.all());
        long buffer = view.data().length();
        Blas.Matrix whole = Blas.Matrix.of(view);
        assertEquals(buffer, whole.position() + (long) (whole.rows() - 1) * whole.ld() + whole.columns(), "fits");
        new Blas.Matrix(view, whole.position() + 1, 3, 5, 6);                         // ends at the last element
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class,
                () -> new Blas.Matrix(view, whole.position() + 2, 3, 5, 6));
        assertEquals("3×5 matrix with rows 6 apart at element " + (whole.position() + 2) + " reaches element "
                + (whole.position() + 19) + " of a buffer of " + buffer, past.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> new Blas.Matrix(view, -1, 1, 1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> whole.rows(1, 3));
    }

    private static INDArray rows(INDArray matrix, int from, int count) {
        return matrix.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all());
    }
}
