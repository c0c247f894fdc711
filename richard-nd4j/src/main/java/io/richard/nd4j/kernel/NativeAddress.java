package io.richard.nd4j.kernel;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pointers into memory ND4J owns, for the direct BLAS and libnd4j calls of {@link Blas} and {@link Elementwise}:
 * plain address holders (no allocation, nothing to free). ND4J's own {@code addressPointer()} makes three objects
 * and a native call per pointer, which added up to 2 % of a CNN mini-batch (a few hundred operands).
 */
final class NativeAddress {

    private NativeAddress() {
    }

    /**
     * The address of the element {@code position} elements after the start of the array's data buffer.
     * {@code data().address()} is the start of the memory a view shares with its base; the view's buffer starts
     * {@code data().offset()} elements later.
     */
    static long of(INDArray a, long position) {
        return a.data().address() + (a.data().offset() + position) * a.data().getElementSize();
    }

    /** The address of the array's first element. */
    static long of(INDArray a) {
        return of(a, a.offset() - a.data().offset());
    }

    static FloatPointer floats(long address) {
        return new FloatAt(address);
    }

    static DoublePointer doubles(long address) {
        return new DoubleAt(address);
    }

    static LongPointer longs(long address) {
        return new LongAt(address);
    }

    private static final class FloatAt extends FloatPointer {
        FloatAt(long address) {
            this.address = address;
        }
    }

    private static final class DoubleAt extends DoublePointer {
        DoubleAt(long address) {
            this.address = address;
        }
    }

    private static final class LongAt extends LongPointer {
        LongAt(long address) {
            this.address = address;
        }
    }
}
