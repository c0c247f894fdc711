package io.richard.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.richard.api.ConfigException;

/**
 * A learning-rate schedule, the optional {@code schedule} section of {@code classifier.network}: a factor on every
 * layer's rate in epoch e, beside the reference's per-layer decay, so that the rate of a layer in epoch e is
 * learnRate · learnRateDecay^e · {@link #factor(int, int) factor}(e). The {@code type} key selects it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ScheduleSpec.Step.class, name = ScheduleSpec.Step.TYPE),
    @JsonSubTypes.Type(value = ScheduleSpec.Cosine.class, name = ScheduleSpec.Cosine.TYPE)
})
public sealed interface ScheduleSpec permits ScheduleSpec.Step, ScheduleSpec.Cosine {

    /** The {@code type} value: {@code step} or {@code cosine}. */
    String type();

    /**
     * The factor on the layers' rates in epoch {@code epoch} (0-based) of a run of {@code epochs} epochs.
     */
    double factor(int epoch, int epochs);

    /** The schedule in a few words, for summaries. */
    String describe();

    /**
     * Step decay: the rate is multiplied by {@code gamma} every {@code every} epochs, factor(e) = γ^⌊e / every⌋.
     *
     * @param every the epochs between two steps, a positive integer
     * @param gamma the factor of each step, in (0, 1]
     */
    @JsonPropertyOrder({"type", "every", "gamma"})
    record Step(int every, double gamma) implements ScheduleSpec {

        public static final String TYPE = "step";

        public Step {
            if (every <= 0) {
                throw new ConfigException("schedule: every must be a positive integer (epochs), got " + every);
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new ConfigException("schedule: gamma must be a number in (0, 1], got " + gamma);
            }
        }

        @JsonCreator
        static Step fromJson(
                @JsonProperty(value = "every", required = true) @JsonPropertyDescription("a positive integer") int every,
                @JsonProperty(value = "gamma", required = true) @JsonPropertyDescription("a number in (0, 1]")
                double gamma) {
            return new Step(every, gamma);
        }

        @Override
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String type() {
            return TYPE;
        }

        /** Step decay: γ^⌊e / every⌋. */
        @Override
        public double factor(int epoch, int epochs) {
            return Math.pow(gamma, epoch / every);
        }

        @Override
        public String describe() {
            return "step: × " + gamma + " every " + every + (every == 1 ? " epoch" : " epochs");
        }
    }

    /**
     * Cosine annealing (Loshchilov and Hutter 2017, SGDR, eq. 5, without restarts), by epoch: the factor falls
     * from 1 in the first epoch along half a cosine towards {@code minFactor} at the end of the run,
     * factor(e) = m + (1 − m) · ½ (1 + cos(π e / E)) for a run of E epochs.
     *
     * @param minFactor m, in [0, 1] (optional, default 0)
     */
    @JsonPropertyOrder({"type", "minFactor"})
    record Cosine(double minFactor) implements ScheduleSpec {

        public static final String TYPE = "cosine";

        public Cosine {
            if (!(minFactor >= 0 && minFactor <= 1)) {
                throw new ConfigException("schedule: minFactor must be a number in [0, 1], got " + minFactor);
            }
        }

        @JsonCreator
        static Cosine fromJson(
                @JsonProperty("minFactor") @JsonPropertyDescription("a number in [0, 1]") Double minFactor) {
            return new Cosine(minFactor == null ? 0 : minFactor);
        }

        @Override
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String type() {
            return TYPE;
        }

        /** Cosine annealing: m + (1 − m) · ½ (1 + cos(π e / E)). */
        @Override
        public double factor(int epoch, int epochs) {
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs)));
        }

        @Override
        public String describe() {
            return "cosine over the epochs" + (minFactor > 0 ? " down to × " + minFactor : "");
        }
    }
}
