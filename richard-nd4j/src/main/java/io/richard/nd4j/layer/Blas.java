package io.richard.nd4j.layer;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_ddot;
import static org.bytedeco.openblas.global.openblas.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sdot;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The matrix products of the layers, called straight through CBLAS on ND4J's CPU backend.
 *
 * <p>ND4J's own {@code Nd4j.gemm} checks and wraps its arguments on every call, which costs about 25 µs here —
 * as much as a whole small product, and a real share of a mini-batch made of dozens of them. Row-major matrices
 * whose rows are contiguous (any array the layers create, and row ranges of them) go to OpenBLAS directly, with
 * their offsets and leading dimensions; anything else, and every other backend (CUDA), goes through ND4J.
 */
public final class Blas {

    private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");

    private Blas() {
    }

    /** C ← alpha · op(A) · op(B) + beta · C, where op transposes when asked; returns C. */
    public static INDArray gemm(INDArray A, boolean transA, INDArray B, boolean transB, INDArray C, double alpha, double beta) {
        if (!direct(A, B, C)) {
            return Nd4j.gemm(A, B, C, transA, transB, alpha, beta);
        }
        long m = C.rows();
        long n = C.columns();
        long k = transA ? A.rows() : A.columns();
        if ((transA ? A.columns() : A.rows()) != m || (transB ? B.rows() : B.columns()) != n
                || (transB ? B.columns() : B.rows()) != k) {
            throw new IllegalArgumentException("gemm shapes do not agree: A " + shape(A) + (transA ? "ᵀ" : "")
                    + ", B " + shape(B) + (transB ? "ᵀ" : "") + ", C " + shape(C));
        }
        if (m == 1 && C.dataType() == DataType.FLOAT) {
            // a row times a matrix is a matrix-vector product, which OpenBLAS does much faster than gemm
            // (no packing): cᵀ = op(B)ᵀ · aᵀ
            int rowsB = (int) B.rows();
            int colsB = (int) B.columns();
            cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, rowsB, colsB, (float) alpha, floats(B),
                    ld(B), floats(A), transA ? ld(A) : 1, (float) beta, floats(C), 1);
            return C;
        }
        int opA = transA ? CblasTrans : CblasNoTrans;
        int opB = transB ? CblasTrans : CblasNoTrans;
        if (C.dataType() == DataType.FLOAT) {
            cblas_sgemm(CblasRowMajor, opA, opB, (int) m, (int) n, (int) k, (float) alpha, floats(A), ld(A),
                    floats(B), ld(B), (float) beta, floats(C), ld(C));
        } else {
            cblas_dgemm(CblasRowMajor, opA, opB, (int) m, (int) n, (int) k, alpha, doubles(A), ld(A),
                    doubles(B), ld(B), beta, doubles(C), ld(C));
        }
        return C;
    }

    /** y ← alpha · x + y for two contiguous arrays of the same length; returns y. */
    public static INDArray axpy(double alpha, INDArray x, INDArray y) {
        if (vectors(x, y)) {
            Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
            return y;
        }
        return y.addi(x.mul(alpha));
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
                && x.length() == y.length() && x.elementWiseStride() == 1 && y.elementWiseStride() == 1;
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

    private static int ld(INDArray a) {
        return (int) Math.max(1, a.rank() == 2 ? Math.max(a.stride(0), a.columns()) : a.length());
    }

    /** The address of a's first element: a view's buffer already starts at the view's own offset. */
    private static FloatPointer floats(INDArray a) {
        return new FloatPointer(a.data().addressPointer()).position(a.offset() - a.data().offset());
    }

    private static DoublePointer doubles(INDArray a) {
        return new DoublePointer(a.data().addressPointer()).position(a.offset() - a.data().offset());
    }

    private static String shape(INDArray a) {
        return java.util.Arrays.toString(a.shape());
    }
}
