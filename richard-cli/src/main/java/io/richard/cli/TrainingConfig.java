package io.richard.cli;

import java.nio.file.Path;
import java.util.List;
import io.richard.api.spec.ModelSpec;

/**
 * A config file as read by {@link ConfigReader}: the reference's model description and richard's training
 * extensions.
 *
 * @param file     the config file
 * @param model    the {@code data}, {@code dataLoader} and {@code classifier} sections, validated as a whole
 * @param training the {@code training} section, with its defaults filled in
 * @param warnings things worth telling the user that do not stop the run (e.g. an ignored reference GPU key)
 * @param spark    the {@code spark} section, with its defaults filled in (used by {@code train --spark})
 */
public record TrainingConfig(Path file, ModelSpec model, TrainingOptions training, List<String> warnings,
                             SparkOptions spark) {

    public TrainingConfig {
        warnings = List.copyOf(warnings);
    }

    /** A config without a {@code spark} section. */
    public TrainingConfig(Path file, ModelSpec model, TrainingOptions training, List<String> warnings) {
        this(file, model, training, warnings, SparkOptions.defaults());
    }
}
