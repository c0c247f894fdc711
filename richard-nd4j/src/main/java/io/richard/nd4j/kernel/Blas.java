package io.richard.nd4j.kernel;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dlacpy_work;
import static org.bytedeco.openblas.global.openblas.LAPACKE_dlaset_work;
import static org.bytedeco.openblas.global.openblas.LAPACKE_slacpy_work;
import static org.bytedeco.openblas.global.openblas.LAPACKE_slaset_work;
import static org.bytedeco.openblas.global.openblas.LAPACK_COL_MAJOR;
import static org.bytedeco.openblas.global.openblas.cblas_daxpy;
import static org.bytedeco.openblas.global.openblas.cblas_dcopy;
import static org.bytedeco.openblas.global.openblas.cblas_ddot;
import static org.bytedeco.openblas.global.openblas.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas.cblas_dscal;
import static org.bytedeco.openblas.global.openblas.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas.cblas_scopy;
import static org.bytedeco.openblas.global.openblas.cblas_sdot;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;
import static org.bytedeco.openblas.global.openblas.cblas_sscal;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix products of the layers, called straight through CBLAS on ND4J's CPU backend, and the copies and
 * zeroing of matrix regions whose rows lie apart in memory (OpenBLAS's LAPACK through LAPACKE, a row at a time).
 * Only what the BLAS and LAPACK references promise is relied on, whatever kernels OpenBLAS picks for the CPU:
 * beta = 0 means C is not read; nothing is assumed of alpha = 0.
 *
 * <p>ND4J's own {@code Nd4j.gemm} checks and wraps its arguments on every call, which costs about 25 µs here —
 * as much as a whole small product, and a real share of a mini-batch made of dozens of them. Row-major matrices
 * whose rows are contiguous (any array the layers create, and row ranges of them) go to OpenBLAS directly, with
 * their offsets and leading dimensions; anything else, and every other backend (CUDA), goes through ND4J.
 */
public final class Blas {

    private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    /**
     * LAPACK's "all of the matrix" (neither triangle only). LAPACK is column-major: a row of ours is one of its
     * columns, so a region of r rows of c elements, ld apart, is its c × r matrix with leading dimension ld.
     */
    private static final byte ALL = 'A';

    private Blas() {
    }

    /**
     * A row-major matrix inside a 2-d array (or a vector, as one row) whose elements along a row are contiguous:
     * {@code rows} rows of {@code columns} elements, the first at {@code position} elements from the start of the
     * array's buffer, one row to the next {@code ld} elements apart. Cheap to make (a plain Java object), unlike an
     * ND4J view, whose shape information is native memory: the convolution takes dozens of these per mini-batch.
     */
    public record Matrix(INDArray array, long position, int rows, int columns, int ld) {

        /**
         * Every element the matrix names lies in its array's buffer: BLAS and LAPACK read and write through raw
         * addresses, where an element past the buffer is another object's memory (or a crash), not an exception.
         */
        public Matrix {
            long end = rows > 0 && columns > 0 ? position + (long) (rows - 1) * ld + columns : position;
            if (position < 0 || end > array.data().length()) {
                throw new IndexOutOfBoundsException(rows + "×" + columns + " matrix with rows " + ld + " apart at"
                        + " element " + position + " reaches element " + end + " of a buffer of "
                        + array.data().length());
            }
        }

        /** All rows of a 2-d array (or a vector, as one row) with contiguous rows. */
        public static Matrix of(INDArray a) {
            if (a.rank() > 2 || (a.rank() == 2 && a.columns() > 1 && a.stride(1) != 1)) {
                throw new IllegalArgumentException("not a row-major matrix with contiguous rows: shape "
                        + shape(a) + ", strides " + java.util.Arrays.toString(a.stride()));
            }
            int columns = a.rank() == 2 ? (int) a.columns() : (int) a.length();
            int ld = (int) Math.max(1, a.rank() == 2 ? Math.max(a.stride(0), columns) : columns);
            return new Matrix(a, a.offset() - a.data().offset(), a.rank() == 2 ? (int) a.rows() : 1, columns, ld);
        }

        /** Rows {@code first} to {@code first + count − 1} of this matrix. */
        public Matrix rows(long first, long count) {
            if (first < 0 || count < 0 || first + count > rows) {
                throw new IndexOutOfBoundsException("rows " + first + "…" + (first + count - 1) + " of " + rows);
            }
            return new Matrix(array, position + first * ld, (int) count, columns, ld);
        }

        /** Rows 0, step, 2·step, … of this matrix. */
        public Matrix everyRow(int step) {
            return new Matrix(array, position, (rows + step - 1) / step, columns, ld * step);
        }

        /**
         * Each run of {@code count} consecutive rows read as one row of count · columns elements: rows 0…count−1
         * become row 0, and so on (an incomplete last run is left out). Needs rows that follow each other in
         * memory (ld = columns), so that a run is contiguous.
         */
        public Matrix joinRows(int count) {
            if (ld != columns) {
                throw new IllegalArgumentException("rows " + ld + " elements apart cannot be joined: they hold "
                        + columns);
            }
            return new Matrix(array, position, rows / count, columns * count, ld * count);
        }

        /**
         * The same elements as an ND4J view (for backends that cannot take a raw address, and types BLAS has no
         * routine for). Made on the buffer the array's buffer views, with the offset from its start, as
         * {@link Layouts#strided} does: ND4J 1.0.0-M2.1 counts a non-zero offset given with the buffer of a view
         * from the start of the buffer that view views.
         */
        INDArray view() {
            DataBuffer data = array.data();
            DataBuffer viewed = data.originalDataBuffer() != null ? data.originalDataBuffer() : data;
            long start = viewed == data ? position : data.offset() + position;
            return Nd4j.create(viewed, new long[] {rows, columns}, new long[] {ld, 1}, start, 'c');
        }
    }

    /** C ← alpha · op(A) · op(B) + beta · C, where op transposes when asked; returns C. */
    public static INDArray gemm(INDArray A, boolean transA, INDArray B, boolean transB, INDArray C, double alpha, double beta) {
        if (!direct(A, B, C)) {
            return Nd4j.gemm(A, B, C, transA, transB, alpha, beta);
        }
        gemm(Matrix.of(A), transA, Matrix.of(B), transB, Matrix.of(C), alpha, beta);
        return C;
    }

    /** C ← alpha · op(A) · op(B) + beta · C on matrix regions, where op transposes when asked. */
    public static void gemm(Matrix A, boolean transA, Matrix B, boolean transB, Matrix C, double alpha, double beta) {
        int m = C.rows();
        int n = C.columns();
        int k = transA ? A.rows() : A.columns();
        if ((transA ? A.columns() : A.rows()) != m || (transB ? B.rows() : B.columns()) != n
                || (transB ? B.columns() : B.rows()) != k) {
            throw new IllegalArgumentException("gemm shapes do not agree: A " + A.rows() + "×" + A.columns()
                    + (transA ? "ᵀ" : "") + ", B " + B.rows() + "×" + B.columns() + (transB ? "ᵀ" : "") + ", C "
                    + m + "×" + n);
        }
        DataType type = C.array().dataType();
        if (!CPU || (type != DataType.FLOAT && type != DataType.DOUBLE) || A.array().dataType() != type
                || B.array().dataType() != type) {
            Nd4j.gemm(A.view(), B.view(), C.view(), transA, transB, alpha, beta);
            return;
        }
        if (m == 1 && type == DataType.FLOAT) {
            // a row times a matrix is a matrix-vector product, which OpenBLAS does much faster than gemm
            // (no packing): cᵀ = op(B)ᵀ · aᵀ
            cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, B.rows(), B.columns(), (float) alpha,
                    floats(B), B.ld(), floats(A), transA ? A.ld() : 1, (float) beta, floats(C), 1);
            return;
        }
        int opA = transA ? CblasTrans : CblasNoTrans;
        int opB = transB ? CblasTrans : CblasNoTrans;
        if (type == DataType.FLOAT) {
            cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, (float) alpha, floats(A), A.ld(), floats(B), B.ld(),
                    (float) beta, floats(C), C.ld());
        } else {
            cblas_dgemm(CblasRowMajor, opA, opB, m, n, k, alpha, doubles(A), A.ld(), doubles(B), B.ld(), beta,
                    doubles(C), C.ld());
        }
    }

    /**
     * C ← 0 on a matrix region, whatever it held (NaN included), by LAPACK's laset, which writes every element
     * without reading any. ND4J's fill runs element by element on a region with gaps between its rows (300 µs for
     * 53,000 floats here); this is a few µs.
     *
     * <p>Not a product with alpha = beta = 0: BLAS says A and B need not be set then, but OpenBLAS's SkylakeX
     * kernels (picked on AVX-512 CPUs) still compute 0 · (A·B), so NaN in the operands reaches C.
     */
    public static void zero(Matrix C) {
        DataType type = C.array().dataType();
        if (!CPU || (type != DataType.FLOAT && type != DataType.DOUBLE)) {
            C.view().assign(0);
            return;
        }
        int ld = Math.max(1, C.ld());
        lapack("laset", type == DataType.FLOAT
                ? LAPACKE_slaset_work(LAPACK_COL_MAJOR, ALL, C.columns(), C.rows(), 0f, 0f, floats(C), ld)
                : LAPACKE_dlaset_work(LAPACK_COL_MAJOR, ALL, C.columns(), C.rows(), 0.0, 0.0, doubles(C), ld));
    }

    /**
     * to ← from, between matrix regions of the same size whose rows may lie any distance apart (LAPACK's lacpy).
     * ND4J copies such regions element by element through their shape information, at 0.5–0.8 ns per element
     * here; lacpy runs a contiguous row at a time, about 4× faster on 32-float rows.
     */
    public static void copy(Matrix from, Matrix to) {
        if (from.rows() != to.rows() || from.columns() != to.columns()) {
            throw new IllegalArgumentException("cannot copy a " + from.rows() + "×" + from.columns() + " region into a "
                    + to.rows() + "×" + to.columns() + " one");
        }
        DataType type = to.array().dataType();
        if (!CPU || (type != DataType.FLOAT && type != DataType.DOUBLE) || from.array().dataType() != type) {
            to.view().assign(from.view());
            return;
        }
        int ldFrom = Math.max(1, from.ld());
        int ldTo = Math.max(1, to.ld());
        lapack("lacpy", type == DataType.FLOAT
                ? LAPACKE_slacpy_work(LAPACK_COL_MAJOR, ALL, from.columns(), from.rows(), floats(from), ldFrom,
                        floats(to), ldTo)
                : LAPACKE_dlacpy_work(LAPACK_COL_MAJOR, ALL, from.columns(), from.rows(), doubles(from), ldFrom,
                        doubles(to), ldTo));
    }

    /** LAPACK's info: 0 on success, −i when argument i was wrong (a bug of ours, never the user's). */
    private static void lapack(String routine, int info) {
        if (info != 0) {
            throw new IllegalStateException("LAPACK " + routine + " rejected argument " + -info);
        }
    }

    /**
     * Copies rows {@code first} to {@code first + target.rows() − 1} of the matrix {@code from} into
     * {@code target}, a matrix with as many columns; returns target.
     */
    public static INDArray copyRows(INDArray from, long first, INDArray target) {
        long rows = target.rows();
        if (from.rank() != 2 || target.rank() != 2 || from.columns() != target.columns() || first < 0
                || first + rows > from.rows()) {
            throw new IllegalArgumentException("cannot copy rows " + first + "…" + (first + rows - 1) + " of a "
                    + shape(from) + " matrix into a " + shape(target) + " one");
        }
        if (direct(from, target) && Matrix.of(from).ld() == from.columns() && Matrix.of(target).ld() == target.columns()
                && from.dataType() == target.dataType()) {
            int n = (int) (rows * target.columns());
            if (target.dataType() == DataType.FLOAT) {
                cblas_scopy(n, floats(Matrix.of(from).rows(first, rows)), 1, floats(target), 1);
            } else {
                cblas_dcopy(n, doubles(Matrix.of(from).rows(first, rows)), 1, doubles(target), 1);
            }
            return target;
        }
        return target.assign(from.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + rows),
                org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }

    /** y ← alpha · x + y for two contiguous arrays of the same length; returns y. */
    public static INDArray axpy(double alpha, INDArray x, INDArray y) {
        if (vectors(x, y)) {
            int n = (int) x.length();
            if (x.dataType() == DataType.FLOAT) {
                cblas_saxpy(n, (float) alpha, floats(x), 1, floats(y), 1);
            } else {
                cblas_daxpy(n, alpha, doubles(x), 1, doubles(y), 1);
            }
            return y;
        }
        return y.addi(x.mul(alpha));
    }

    /** x ← alpha · x for a contiguous array; returns x. */
    public static INDArray scale(double alpha, INDArray x) {
        if (vectors(x, x)) {
            int n = (int) x.length();
            if (x.dataType() == DataType.FLOAT) {
                cblas_sscal(n, (float) alpha, floats(x), 1);
            } else {
                cblas_dscal(n, alpha, doubles(x), 1);
            }
            return x;
        }
        return x.muli(alpha);
    }

    /** Σ x_i y_i over two arrays of the same length. */
    public static double dot(INDArray x, INDArray y) {
        if (!vectors(x, y)) {
            return x.mul(y).sumNumber().doubleValue();
        }
        int n = (int) x.length();
        return x.dataType() == DataType.FLOAT ? cblas_sdot(n, floats(x), 1, floats(y), 1)
                : cblas_ddot(n, doubles(x), 1, doubles(y), 1);
    }

    /** True when two arrays of any shape can go to level-1 CBLAS: CPU, one floating type, contiguous, same length. */
    private static boolean vectors(INDArray x, INDArray y) {
        return CPU && x.dataType() == y.dataType()
                && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE)
                && x.length() == y.length() && x.elementWiseStride() == 1 && y.elementWiseStride() == 1
                && (x.rank() < 2 || x.ordering() == y.ordering());
    }

    /** True when every array can go to CBLAS: CPU backend, one floating type, row-major with contiguous rows. */
    private static boolean direct(INDArray... arrays) {
        if (!CPU) {
            return false;
        }
        DataType type = arrays[0].dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != type || a.rank() > 2 || a.isEmpty()) {
                return false;
            }
            if (a.rank() == 2 && a.columns() > 1 && (a.stride(1) != 1 || (a.rows() > 1 && a.stride(0) < a.columns()))) {
                return false;
            }
        }
        return true;
    }

    private static FloatPointer floats(INDArray a) {
        return NativeAddress.floats(NativeAddress.of(a));
    }

    private static DoublePointer doubles(INDArray a) {
        return NativeAddress.doubles(NativeAddress.of(a));
    }

    private static FloatPointer floats(Matrix a) {
        return NativeAddress.floats(NativeAddress.of(a.array(), a.position()));
    }

    private static DoublePointer doubles(Matrix a) {
        return NativeAddress.doubles(NativeAddress.of(a.array(), a.position()));
    }

    private static String shape(INDArray a) {
        return java.util.Arrays.toString(a.shape());
    }
}
