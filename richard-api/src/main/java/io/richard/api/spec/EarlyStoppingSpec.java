package io.richard.api.spec;

import java.util.List;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.richard.api.ConfigException;

/**
 * Early stopping: after every epoch the network is tested, and training stops when {@code metric} has not
 * improved for {@code patience} epochs in a row; the model kept is the one of the best epoch.
 *
 * @param patience epochs without improvement before stopping, an integer ≥ 0 (0: stop at the first epoch that
 *                 does not improve)
 * @param metric   {@code testAccuracy} (higher is better) or {@code testCost} (lower is better)
 */
@JsonPropertyOrder({"patience", "metric"})
public record EarlyStoppingSpec(int patience, String metric) {

    /** The test accuracy: higher is better. */
    public static final String TEST_ACCURACY = "testAccuracy";
    /** The mean cost on the test set: lower is better. */
    public static final String TEST_COST = "testCost";

    public EarlyStoppingSpec {
        if (patience < 0) {
            throw new ConfigException("earlyStopping: patience must be an integer >= 0 (epochs), got " + patience);
        }
        if (!List.of(TEST_ACCURACY, TEST_COST).contains(metric)) {
            throw new ConfigException("earlyStopping: metric must be testAccuracy or testCost, got '" + metric + "'");
        }
    }

    @JsonCreator
    static EarlyStoppingSpec fromJson(
            @JsonProperty(value = "patience", required = true) @JsonPropertyDescription("an integer >= 0")
            int patience,
            @JsonProperty("metric") @JsonPropertyDescription("testAccuracy or testCost") String metric) {
        return new EarlyStoppingSpec(patience, metric == null ? TEST_ACCURACY : metric);
    }

    /** True when {@code value} is better than {@code best} for this metric (strictly: a tie is no improvement). */
    public boolean better(double value, double best) {
        return metric.equals(TEST_ACCURACY) ? value > best : value < best;
    }

    /** "test accuracy" or "test cost", for messages. */
    public String words() {
        return metric.equals(TEST_ACCURACY) ? "test accuracy" : "test cost";
    }
}
