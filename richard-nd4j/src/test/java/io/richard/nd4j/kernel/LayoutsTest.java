package io.richard.nd4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.richard.api.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The layers' conversion of flat inputs to the spatial layout, against its element-by-element definition. */
class LayoutsTest {

    @ParameterizedTest(name = "{0} samples of {1}×{2}×{3}")
    @CsvSource({"3, 5, 4, 1", "1, 3, 3, 1", "2, 4, 3, 2"})
    void flatInputIntoSpatialRowsOfALargerArrayMatchesTheDefinition(int n, int width, int height, int depth) {
        Shape shape = new Shape(width, height, depth);
        INDArray flat = Nd4j.rand(DataType.FLOAT, n, shape.size());
        // the target is the first rows of a larger array, as a convolution's padded input rows are
        INDArray padded = Nd4j.zeros(DataType.FLOAT, (long) height * n * width + 2, depth);
        INDArray target = padded.get(NDArrayIndex.interval(0, (long) height * n * width), NDArrayIndex.all())
                .reshape('c', Layouts.spatialShape(n, shape));

        Layouts.spatialInto(flat, shape, target, new Buffers());

        for (int y = 0; y < height; y++) {
            for (int s = 0; s < n; s++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < depth; c++) {
                        // the reference's order: channel by channel, row by row
                        assertEquals(flat.getFloat(s, (long) c * width * height + (long) y * width + x),
                                target.getFloat(y, s, x, c), 0f, "(" + x + ", " + y + ", " + c + ") of sample " + s);
                    }
                }
            }
        }
        assertEquals(0.0, padded.get(NDArrayIndex.interval((long) height * n * width, (long) height * n * width + 2),
                NDArrayIndex.all()).sumNumber().doubleValue(), 0.0, "the padding rows are not written");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"contiguous", "row range", "columns"})
    void cOrderMeansNoGapsWhateverTheArrayIsAViewOf(String kind) {
        INDArray base = Nd4j.zeros(DataType.FLOAT, 6, 4);
        INDArray array = switch (kind) {
            case "contiguous" -> base;
            case "row range" -> base.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
            default -> base.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
        };
        if (kind.equals("columns")) {
            assertFalse(Layouts.cOrder(array));
        } else {
            assertTrue(Layouts.cOrder(array));
        }
    }
}
