package io.richard.spark;

import java.util.ArrayList;
import java.util.List;
import io.richard.cli.Richard;

/**
 * The main class of the jar for spark-submit: the {@code richard} command line, with {@code train} running on the
 * master spark-submit was given ({@code --spark} is added when missing):
 * <pre>spark-submit --master yarn richard-spark-submit.jar train mnist.yaml -o mnist.richard</pre>
 */
public final class SubmitMain {

    private SubmitMain() {
    }

    public static void main(String[] args) {
        List<String> command = new ArrayList<>(List.of(args));
        String master = System.getProperty("spark.master");
        if (!command.isEmpty() && command.get(0).equals("train") && master != null
                && command.stream().noneMatch(a -> a.equals("--spark") || a.startsWith("--spark="))) {
            command.add(1, "--spark");
            command.add(2, master);
        }
        Richard.main(command.toArray(new String[0]));
    }
}
