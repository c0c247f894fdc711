package io.richard.api.spec;

import java.util.Locale;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.richard.api.ConfigException;

/**
 * How the parameters are updated from their gradients: the optional {@code optimizer} section of
 * {@code classifier.network}, whose {@code type} selects the rule. Without the section a network trains with
 * {@code sgd}, the reference's. Learning rates stay per layer ({@code learnRate} · {@code learnRateDecay}^epoch,
 * times the factor of a {@link ScheduleSpec schedule} if there is one), and gradients stay summed over the
 * mini-batch as the reference sums them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = OptimizerSpec.Sgd.class, name = OptimizerSpec.Sgd.TYPE),
    @JsonSubTypes.Type(value = OptimizerSpec.Momentum.class, name = OptimizerSpec.Momentum.TYPE),
    @JsonSubTypes.Type(value = OptimizerSpec.Adam.class, name = OptimizerSpec.Adam.TYPE)
})
public sealed interface OptimizerSpec permits OptimizerSpec.Sgd, OptimizerSpec.Momentum, OptimizerSpec.Adam {

    /** The reference's plain SGD, the default. */
    OptimizerSpec SGD = new Sgd();

    /** The {@code type} value: {@code sgd}, {@code momentum} or {@code adam}. */
    String type();

    /** The optimiser in a few words, for summaries: "sgd", "momentum 0.9 (Nesterov)", "adam (β1 0.9, …)". */
    String describe();

    /** Plain stochastic gradient descent, the seed's (11): θ ← θ − λ ∇θ C. No keys besides {@code type}. */
    @JsonPropertyOrder({"type"})
    record Sgd() implements OptimizerSpec {

        public static final String TYPE = "sgd";

        @JsonCreator
        static Sgd fromJson() {
            return new Sgd();
        }

        @Override
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String type() {
            return TYPE;
        }

        @Override
        public String describe() {
            return TYPE;
        }
    }

    /**
     * SGD with momentum μ (Polyak's heavy ball, in the form PyTorch and Sutskever et al. 2013 use): v ← μ v + ∇θ C,
     * θ ← θ − λ v; with {@code nesterov}, θ ← θ − λ (∇θ C + μ v) (Nesterov's accelerated gradient in the same
     * form).
     *
     * @param momentum μ, in [0, 1) (optional, default 0.9)
     * @param nesterov Nesterov's look-ahead form (optional, default false)
     */
    @JsonPropertyOrder({"type", "momentum", "nesterov"})
    record Momentum(double momentum, boolean nesterov) implements OptimizerSpec {

        public static final String TYPE = "momentum";

        public Momentum {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new ConfigException("optimizer: momentum must be a number in [0, 1), got " + momentum);
            }
        }

        @JsonCreator
        static Momentum fromJson(
                @JsonProperty("momentum") @JsonPropertyDescription("a number in [0, 1)") Double momentum,
                @JsonProperty("nesterov") @JsonPropertyDescription("true or false") Boolean nesterov) {
            return new Momentum(momentum == null ? 0.9 : momentum, nesterov != null && nesterov);
        }

        @Override
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String type() {
            return TYPE;
        }

        @Override
        public String describe() {
            return TYPE + " " + number(momentum) + (nesterov ? " (Nesterov)" : "");
        }
    }

    /**
     * Adam (Kingma and Ba 2015, algorithm 1), with its bias correction: m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2)
     * g², θ ← θ − λ m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t). With {@code weightDecay} w > 0 it is
     * AdamW (Loshchilov and Hutter 2019): each step also shrinks θ by λ · w · θ, decoupled from the gradient.
     *
     * @param beta1       β1, in [0, 1) (optional, default 0.9)
     * @param beta2       β2, in [0, 1) (optional, default 0.999)
     * @param epsilon     ε &gt; 0 (optional, default 1e-8)
     * @param weightDecay w ≥ 0, decoupled weight decay (optional, default 0: plain Adam)
     */
    @JsonPropertyOrder({"type", "beta1", "beta2", "epsilon", "weightDecay"})
    record Adam(double beta1, double beta2, double epsilon, double weightDecay) implements OptimizerSpec {

        public static final String TYPE = "adam";

        public Adam {
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new ConfigException("optimizer: beta1 must be a number in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new ConfigException("optimizer: beta2 must be a number in [0, 1), got " + beta2);
            }
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new ConfigException("optimizer: epsilon must be a finite number > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new ConfigException("optimizer: weightDecay must be a finite number >= 0 (0: plain Adam), got "
                        + weightDecay);
            }
        }

        /** Adam with Kingma and Ba's defaults: β1 0.9, β2 0.999, ε 1e-8, no weight decay. */
        public Adam() {
            this(0.9, 0.999, 1e-8, 0);
        }

        @JsonCreator
        static Adam fromJson(
                @JsonProperty("beta1") @JsonPropertyDescription("a number in [0, 1)") Double beta1,
                @JsonProperty("beta2") @JsonPropertyDescription("a number in [0, 1)") Double beta2,
                @JsonProperty("epsilon") @JsonPropertyDescription("a number > 0") Double epsilon,
                @JsonProperty("weightDecay") @JsonPropertyDescription("a number >= 0") Double weightDecay) {
            return new Adam(beta1 == null ? 0.9 : beta1, beta2 == null ? 0.999 : beta2,
                    epsilon == null ? 1e-8 : epsilon, weightDecay == null ? 0 : weightDecay);
        }

        @Override
        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        public String type() {
            return TYPE;
        }

        @Override
        public String describe() {
            return (weightDecay > 0 ? "adamW" : TYPE) + " (β1 " + number(beta1) + ", β2 " + number(beta2) + ", ε "
                    + number(epsilon) + (weightDecay > 0 ? ", weight decay " + number(weightDecay) : "") + ")";
        }
    }

    /** A number for a summary: 0.9, 1, 1.0e-8. */
    private static String number(double value) {
        String text = Double.toString(value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text.toLowerCase(Locale.ROOT);
    }
}
