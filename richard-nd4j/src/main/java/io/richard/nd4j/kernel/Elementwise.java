package io.richard.nd4j.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueDataBuffer;

/**
 * The element-wise operations of the layers, called straight into ND4J's native library on its CPU backend.
 *
 * <p>{@code Nd4j.exec} builds an op object, validates it, allocates a native scalar for scalar ops and runs
 * profiling hooks on every call: 20–90 µs here, whatever the array size, which is more than the arithmetic on
 * most of the layers' arrays (a maximum over 173,000 floats takes 27 µs). The layers run about a hundred such
 * operations per mini-batch, so they go to the same native kernels directly, like {@link Blas} does for the
 * products. Every other backend (CUDA) takes ND4J's ordinary route.
 *
 * <p>Each method writes into {@code z}, which may be one of the inputs, and returns it. The arrays must have the
 * same shape and data type; views (any strides) are fine.
 */
public final class Elementwise {

    private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    private static final NativeOps NATIVE = CPU ? NativeOpsHolder.getInstance().getDeviceNativeOps() : null;
    /** BaseCpuDataBuffer.getOpaqueDataBuffer(), looked up so that this module also compiles for CUDA. */
    private static final MethodHandle OPAQUE_BUFFER = CPU ? opaqueBufferGetter() : null;
    private static final PointerPointer<?> NO_EXTRA = new PointerPointer<>(0L);
    private static final Map<String, INDArray> SCALARS = new ConcurrentHashMap<>();

    // libnd4j's legacy op numbers (legacy_ops.h): pairwise transforms, scalar transforms, same-type transforms
    private static final int PAIRWISE_ADD = 0;
    private static final int PAIRWISE_DIVIDE = 2;
    private static final int PAIRWISE_MULTIPLY = 3;
    private static final int PAIRWISE_SUBTRACT = 6;
    private static final int PAIRWISE_MAX = 7;
    private static final int SCALAR_ADD = 0;
    private static final int SCALAR_MAX = 6;
    private static final int SCALAR_SET = 14;
    private static final int SCALAR_RELU = 39;
    private static final int SCALAR_STEP = 41;
    private static final int SAME_SIGN = 1;
    private static final int SAME_TIMES_ONE_MINUS = 5;
    private static final int STRICT_EXP = 23;
    private static final int STRICT_LOG = 24;
    private static final int STRICT_SIGMOID = 26;
    private static final int FLOAT_SQRT = 1;
    private static final int ANY_ASSIGN = 0;

    private Elementwise() {
    }

    /** z = x + y. */
    public static INDArray add(INDArray x, INDArray y, INDArray z) {
        return CPU ? pairwise(PAIRWISE_ADD, x, y, z) : x.add(y, z);
    }

    /** z = x − y. */
    public static INDArray subtract(INDArray x, INDArray y, INDArray z) {
        return CPU ? pairwise(PAIRWISE_SUBTRACT, x, y, z) : x.sub(y, z);
    }

    /** z = x ⊙ y. */
    public static INDArray multiply(INDArray x, INDArray y, INDArray z) {
        return CPU ? pairwise(PAIRWISE_MULTIPLY, x, y, z) : x.mul(y, z);
    }

    /** z = x / y. */
    public static INDArray divide(INDArray x, INDArray y, INDArray z) {
        return CPU ? pairwise(PAIRWISE_DIVIDE, x, y, z) : x.div(y, z);
    }

    /** z = max(x, y) element by element. */
    public static INDArray max(INDArray x, INDArray y, INDArray z) {
        return CPU ? pairwise(PAIRWISE_MAX, x, y, z) : z.assign(Transforms.max(x, y, true));
    }

    /** z = x (a copy, between any layouts of the same shape). */
    public static INDArray copy(INDArray x, INDArray z) {
        return CPU ? transform(Kind.ANY, ANY_ASSIGN, x, z) : z.assign(x);
    }

    /** z = sign(x): 1, 0 or −1. */
    public static INDArray sign(INDArray x, INDArray z) {
        return CPU ? transform(Kind.SAME, SAME_SIGN, x, z) : Nd4j.exec(new Sign(x, z));
    }

    /** z = x ⊙ (1 − x). */
    public static INDArray timesOneMinus(INDArray x, INDArray z) {
        return CPU ? transform(Kind.SAME, SAME_TIMES_ONE_MINUS, x, z) : Nd4j.exec(new TimesOneMinus(x, z));
    }

    /** z = 1 / (1 + e^−x). */
    public static INDArray sigmoid(INDArray x, INDArray z) {
        return CPU ? transform(Kind.STRICT, STRICT_SIGMOID, x, z) : Nd4j.exec(new Sigmoid(x, z));
    }

    /** z = √x. */
    public static INDArray sqrt(INDArray x, INDArray z) {
        return CPU ? transform(Kind.FLOAT, FLOAT_SQRT, x, z) : z.assign(Transforms.sqrt(x, true));
    }

    /** z = e^x. */
    public static INDArray exp(INDArray x, INDArray z) {
        return CPU ? transform(Kind.STRICT, STRICT_EXP, x, z) : z.assign(Transforms.exp(x, true));
    }

    /** z = ln x. */
    public static INDArray log(INDArray x, INDArray z) {
        return CPU ? transform(Kind.STRICT, STRICT_LOG, x, z) : z.assign(Transforms.log(x, true));
    }

    /**
     * z = x + {@code value}, for a value that stays the same from call to call (a constant such as Adam's ε: each
     * distinct value is kept as a native scalar).
     */
    public static INDArray addConstant(INDArray x, double value, INDArray z) {
        return CPU ? scalar(SCALAR_ADD, x, value, z) : z.assign(x.add(value));
    }

    /** z = max(x, {@code value}) for a value that stays the same from call to call (see {@link #addConstant}). */
    public static INDArray atLeast(INDArray x, double value, INDArray z) {
        return CPU ? scalar(SCALAR_MAX, x, value, z) : z.assign(Transforms.max(x, value, true));
    }

    /** z = 1 where x &gt; 0, else 0. */
    public static INDArray step(INDArray x, INDArray z) {
        return CPU ? scalar(SCALAR_STEP, x, 0.0, z) : Nd4j.exec(new Step(x, z, 0.0));
    }

    /** z = max(0, x). */
    public static INDArray relu(INDArray x, INDArray z) {
        return CPU ? scalar(SCALAR_RELU, x, 0.0, z) : Nd4j.exec(new RectifiedLinear(x, z, 0.0));
    }

    /** Every element of z set to {@code value}. */
    public static INDArray fill(INDArray z, double value) {
        return CPU ? scalar(SCALAR_SET, z, value, z) : z.assign(value);
    }

    private enum Kind { ANY, SAME, STRICT, FLOAT }

    /** One of libnd4j's single-operand transforms, z = op(x), of the given kind (its op numbers are per kind). */
    private static INDArray transform(Kind kind, int op, INDArray x, INDArray z) {
        check(x, z);
        switch (kind) {
            case ANY -> NATIVE.execTransformAny(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(z), shapeInfo(z),
                    null, null);
            case SAME -> NATIVE.execTransformSame(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(z),
                    shapeInfo(z), null, null);
            case STRICT -> NATIVE.execTransformStrict(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(z),
                    shapeInfo(z), null, null);
            case FLOAT -> NATIVE.execTransformFloat(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(z),
                    shapeInfo(z), null, null);
        }
        return done(z);
    }

    private static INDArray pairwise(int op, INDArray x, INDArray y, INDArray z) {
        check(x, y);
        check(x, z);
        NATIVE.execPairwiseTransform(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(y), shapeInfo(y), null,
                buffer(z), shapeInfo(z), null, null);
        return done(z);
    }

    private static INDArray scalar(int op, INDArray x, double value, INDArray z) {
        check(x, z);
        INDArray s = SCALARS.computeIfAbsent(x.dataType() + " " + value, k -> Nd4j.scalar(x.dataType(), value));
        NATIVE.execScalar(NO_EXTRA, op, buffer(x), shapeInfo(x), null, buffer(z), shapeInfo(z), null, buffer(s),
                shapeInfo(s), null, null);
        return done(z);
    }

    private static void check(INDArray x, INDArray z) {
        DataType type = x.dataType();
        if (z.dataType() != type || (type != DataType.FLOAT && type != DataType.DOUBLE)) {
            throw new IllegalArgumentException("element-wise operands must both be FLOAT or both DOUBLE, got " + type
                    + " and " + z.dataType());
        }
        if (x.rank() != z.rank() || !Arrays.equals(x.shape(), z.shape())) {
            throw new IllegalArgumentException("element-wise operands must have the same shape, got "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(z.shape()));
        }
    }

    private static INDArray done(INDArray z) {
        int error = NATIVE.lastErrorCode();
        if (error != 0) {
            throw new IllegalStateException("native element-wise operation failed (" + error + "): "
                    + NATIVE.lastErrorMessage());
        }
        return z;
    }

    private static OpaqueDataBuffer buffer(INDArray a) {
        try {
            return (OpaqueDataBuffer) OPAQUE_BUFFER.invoke(a.data());
        } catch (Throwable e) {
            throw new IllegalStateException("cannot reach the native buffer of a CPU array", e);
        }
    }

    private static MethodHandle opaqueBufferGetter() {
        try {
            Class<?> type = Class.forName("org.nd4j.linalg.cpu.nativecpu.buffer.BaseCpuDataBuffer");
            return MethodHandles.publicLookup().findVirtual(type, "getOpaqueDataBuffer",
                    MethodType.methodType(OpaqueDataBuffer.class)).asType(
                            MethodType.methodType(OpaqueDataBuffer.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The array's native shape information (see {@link NativeAddress}). */
    private static LongPointer shapeInfo(INDArray a) {
        return NativeAddress.longs(a.shapeInfoDataBuffer().address());
    }
}
