package io.richard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/** Where richard is installed (the repository it was built in) and its version. */
final class Home {

    private Home() {
    }

    /** The repository root: $RICHARD_HOME, else the folder above the jar or classes that holds richard-examples. */
    static Optional<Path> root() {
        String env = System.getenv("RICHARD_HOME");
        if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env).resolve("richard-examples"))) {
            return Optional.of(Path.of(env).toAbsolutePath().normalize());
        }
        try {
            Path location = Path.of(Home.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = location.toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("richard-examples")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                    return Optional.of(p);
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The shipped MNIST subset, if this is a checkout that has it. */
    static Optional<Path> mnistSubset() {
        return root().map(r -> r.resolve("richard-examples/data/mnist")).filter(Files::isDirectory);
    }

    /** The version of this build, e.g. "0.1.0-SNAPSHOT". */
    static String version() {
        try (InputStream in = Home.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null && !version.startsWith("$")) {
                    return version;
                }
            }
        } catch (IOException ignored) {
            // fall through to "unknown"
        }
        return "unknown";
    }

    static String nd4jVersion() {
        try (InputStream in = Home.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("nd4j", "unknown");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }
}
