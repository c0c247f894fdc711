package io.richard.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Executes a Jupyter notebook written for the IJava kernel the way IJava does: one {@link JShell} per notebook,
 * the code cells in order, each cell cut into snippets with {@link SourceCodeAnalysis#analyzeCompletion} and
 * evaluated one by one. A rejected snippet, an exception thrown by a snippet, or code left incomplete at the end
 * of a cell stops the run with an {@link AssertionError} naming the notebook, the code cell and the line.
 *
 * <p><b>Class path.</b> The compiler sees only what the notebook's own magics ask for, so a notebook that forgets
 * its {@code %maven} line fails here as it would in Jupyter:
 * <ul>
 *   <li>{@code %maven g:a:v …}: the artifact and its transitive runtime dependencies, taken from the dependency
 *       tree the build writes to {@code target/dependency-tree.txt}, each located on this JVM's class path (so
 *       {@code io.richard:richard-nd4j:0.1.0-SNAPSHOT} is the module's {@code target/classes} in a reactor build,
 *       the installed jar otherwise); an artifact outside the tree is taken from the local Maven repository;</li>
 *   <li>{@code %jars PATH…} and {@code %classpath PATH…}: files, directories or globs, relative to the notebook's
 *       directory (Jupyter starts the kernel there);</li>
 *   <li>{@code %%loadFromPOM} and unknown magics are errors.</li>
 * </ul>
 * JShell's compiler starts from the {@code java.class.path} property, which under Surefire holds the whole test
 * class path; the runner blanks that property while the JShell instance is built and given its first class path
 * entry, after which JShell's compiler uses only the entries added to it.
 *
 * <p><b>Execution.</b> The in-process engine ({@code executionEngine("local")}): snippets run in this JVM, whose
 * class loader already holds ND4J with its native libraries loaded, so a notebook pays ND4J's start-up once.
 * {@code System.out} and {@code System.err} are captured around every snippet into the run's transcript.
 *
 * <p><b>Display.</b> Stand-ins for IJava's {@code display(Object, String...)} and {@code updateDisplay(String,
 * Object, String...)} are defined in the session. They write what is displayed into the output directory: a
 * {@link java.awt.image.RenderedImage} as {@code display-N.png}, anything else as text in a file named after its
 * MIME type ({@code .html}, {@code .md}, {@code .txt}), and the runner returns the list.
 */
final class NotebookRunner {

    /** One displayed item: its MIME type and the file it was written to. */
    record Display(String mime, Path file) {
    }

    /** What a successful run displayed and printed. */
    record Result(List<Display> displays, String transcript, double seconds) {

        long count(String mime) {
            return displays.stream().filter(d -> d.mime().equals(mime)).count();
        }
    }

    /** A code cell: its number among the code cells (1-based), its index among all cells (1-based), its source. */
    record CodeCell(int number, int cellIndex, String source) {
    }

    private static final Pattern MAVEN_COORDINATES = Pattern.compile("([^:\\s]+):([^:\\s]+):([^:\\s]+)");

    /** IJava's display functions, recording into {@code __displayDir}. */
    private static final String DISPLAY_STAND_INS = """
            final java.util.List<String> __displayed = new java.util.ArrayList<>();
            String display(Object o, String... mimes) {
                String mime = mimes.length > 0 ? mimes[0]
                        : o instanceof java.awt.image.RenderedImage ? "image/png" : "text/plain";
                String id = "display-" + (__displayed.size() + 1);
                try {
                    java.nio.file.Path file;
                    if (o instanceof java.awt.image.RenderedImage image) {
                        file = __displayDir.resolve(id + ".png");
                        if (!javax.imageio.ImageIO.write(image, "png", file.toFile())) {
                            throw new IllegalStateException("no PNG writer for " + image);
                        }
                    } else {
                        String suffix = mime.equals("text/html") ? ".html" : mime.equals("text/markdown") ? ".md" : ".txt";
                        file = __displayDir.resolve(id + suffix);
                        java.nio.file.Files.writeString(file, String.valueOf(o));
                    }
                    __displayed.add(id);
                    java.nio.file.Files.writeString(__displayDir.resolve("displays.txt"), mime + "|" + file + "\\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return id;
            }
            void updateDisplay(String id, Object o, String... mimes) {
                display(o, mimes);
            }
            """;

    private final Path notebook;
    private final Path outputDir;
    private final Map<String, List<Path>> dependencyTree;
    private final List<Path> jvmClassPath;

    private final StringBuilder transcript = new StringBuilder();
    private final Set<String> classPath = new LinkedHashSet<>();
    private JShell shell;
    private SourceCodeAnalysis analysis;
    private String lastValue;
    private int lastValueLine;
    private String lastValueSource;

    /**
     * @param notebook  the {@code .ipynb} file
     * @param outputDir where displayed items and the transcript go; emptied first
     */
    NotebookRunner(Path notebook, Path outputDir) {
        this.notebook = notebook.toAbsolutePath().normalize();
        this.outputDir = outputDir.toAbsolutePath();
        this.jvmClassPath = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        this.dependencyTree = readDependencyTree(Path.of("target", "dependency-tree.txt"));
    }

    /** The code cells of a notebook, in order. */
    static List<CodeCell> codeCells(Path notebook) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(notebook.toFile());
        } catch (IOException e) {
            throw new AssertionError(notebook + " is not a readable notebook: " + e.getMessage(), e);
        }
        JsonNode cells = root.path("cells");
        if (!cells.isArray()) {
            throw new AssertionError(notebook + " has no cells array: not an nbformat 4 notebook");
        }
        List<CodeCell> code = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            JsonNode cell = cells.get(i);
            if ("code".equals(cell.path("cell_type").asText())) {
                JsonNode source = cell.path("source");
                String text = source.isArray()
                        ? Stream.of(source).flatMap(s -> iterable(s).stream()).map(JsonNode::asText)
                                .collect(Collectors.joining())
                        : source.asText();
                code.add(new CodeCell(code.size() + 1, i + 1, text));
            }
        }
        return code;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    /** Runs every code cell; throws {@link AssertionError} at the first failure. */
    Result run() {
        long start = System.nanoTime();
        prepareOutputDir();
        List<CodeCell> cells = codeCells(notebook);
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        try {
            startShell();
            for (CodeCell cell : cells) {
                transcript.append("---- code cell ").append(cell.number()).append('\n');
                runCell(cell, realOut, realErr);
            }
            List<Display> displays = displays();
            writeTranscript();
            return new Result(displays, transcript.toString(), (System.nanoTime() - start) / 1e9);
        } catch (AssertionError e) {
            writeTranscript();
            throw e;
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
            if (shell != null) {
                shell.close();
            }
        }
    }

    private void prepareOutputDir() {
        try {
            if (Files.exists(outputDir)) {
                try (Stream<Path> files = Files.walk(outputDir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startShell() {
        // JShell's compiler reads java.class.path once, at its first use or when the first entry is added: hide
        // the test class path from it, so that the notebook sees only what its magics add.
        String saved = System.getProperty("java.class.path");
        Path empty = outputDir.resolve("empty-class-path");
        try {
            Files.createDirectories(empty);
            System.setProperty("java.class.path", "");
            shell = JShell.builder().executionEngine("local").build();
            shell.addToClasspath(empty.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            System.setProperty("java.class.path", saved);
        }
        analysis = shell.sourceCodeAnalysis();
        transcript.append("---- set-up: display stand-ins writing to ").append(outputDir).append('\n');
        String setup = "final java.nio.file.Path __displayDir = java.nio.file.Path.of(\""
                + outputDir.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\");\n" + DISPLAY_STAND_INS;
        evalCode(new CodeCell(0, 0, setup), setup, 1, System.out, System.err);
    }

    /** Runs a cell: magics are applied where they stand, the code between them is evaluated snippet by snippet. */
    private void runCell(CodeCell cell, PrintStream realOut, PrintStream realErr) {
        String[] lines = cell.source().split("\n", -1);
        if (lines.length > 0 && lines[0].strip().startsWith("%%")) {
            throw failure(cell, 1, lines[0], "cell magic " + lines[0].strip().split("\\s+")[0]
                    + " is not supported by this test (IJava's %%loadFromPOM needs a network)");
        }
        lastValue = null;
        StringBuilder code = new StringBuilder();
        int codeStartLine = 1;
        boolean inTextBlock = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!inTextBlock && line.strip().startsWith("%")) {
                evalCode(cell, code.toString(), codeStartLine, realOut, realErr);
                applyMagic(cell, i + 1, line.strip());
                code.setLength(0);
                codeStartLine = i + 2;
                continue;
            }
            if (countOccurrences(line, "\"\"\"") % 2 == 1) {     // a line magic never stands inside a text block
                inTextBlock = !inTextBlock;
            }
            code.append(line).append('\n');
        }
        evalCode(cell, code.toString(), codeStartLine, realOut, realErr);
        if (lastValue != null && lastValue.startsWith("java.io.PrintStream@")) {
            // e.g. a cell ending in System.out.printf(…): Jupyter would show "java.io.PrintStream@…" under it
            throw failure(cell, lastValueLine, firstLineOf(lastValueSource), "the cell's value is " + lastValue
                    + ", which IJava would display; end the cell with a statement that has no value");
        }
    }

    private static int countOccurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    /** Evaluates code that starts at line {@code firstLine} of the cell, snippet by snippet. */
    private void evalCode(CodeCell cell, String code, int firstLine, PrintStream realOut, PrintStream realErr) {
        String remaining = code;
        int consumed = 0;
        while (!remaining.isBlank()) {
            int leading = remaining.length() - remaining.stripLeading().length();
            int snippetLine = firstLine + lineOf(code, consumed + leading) - 1;
            SourceCodeAnalysis.CompletionInfo info;
            try {
                info = analysis.analyzeCompletion(remaining);
            } catch (RuntimeException | Error e) {
                throw failure(cell, snippetLine, firstLineOf(remaining.strip()), "JShell could not analyse the code: "
                        + e, e);
            }
            switch (info.completeness()) {
                case EMPTY:
                    return;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    throw failure(cell, snippetLine, firstLineOf(remaining.strip()),
                            "incomplete code at the end of the cell: " + abbreviate(remaining.strip()));
                default:
                    break;
            }
            String source = info.source().stripLeading();         // line numbers then count from its first line
            int before = remaining.length();
            remaining = info.remaining();
            consumed += before - remaining.length();
            evalSnippet(cell, source, snippetLine, realOut, realErr);
        }
    }

    private void evalSnippet(CodeCell cell, String source, int line, PrintStream realOut, PrintStream realErr) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        List<SnippetEvent> events;
        System.setOut(capture);
        System.setErr(capture);
        try {
            events = shell.eval(source);
        } catch (RuntimeException | Error e) {
            throw failure(cell, line, firstLineOf(source), "JShell could not evaluate the snippet: " + e, e);
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
            capture.flush();
            transcript.append(captured.toString(StandardCharsets.UTF_8));
        }
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue;                                    // a consequence for an earlier snippet, not this one
            }
            Snippet snippet = event.snippet();
            if (event.exception() != null) {
                JShellException e = event.exception();
                int at = line + exceptionLine(e, snippet) - 1;
                throw failure(cell, at, lineAt(source, exceptionLine(e, snippet)), describe(e)
                        + "\n  output so far in this snippet: " + abbreviate(captured.toString(StandardCharsets.UTF_8)),
                        e);
            }
            switch (event.status()) {
                case VALID:
                    // IJava shows the value of a cell's last snippet when it is an expression
                    boolean expression = snippet.kind() == Snippet.Kind.EXPRESSION
                            || snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
                    lastValue = expression ? event.value() : null;
                    lastValueLine = line;
                    lastValueSource = source;
                    if (expression && event.value() != null) {
                        transcript.append("=> ").append(event.value()).append('\n');
                    }
                    break;
                case REJECTED:
                case RECOVERABLE_DEFINED:
                case RECOVERABLE_NOT_DEFINED:
                    List<Diag> diagnostics = shell.diagnostics(snippet).filter(Diag::isError).toList();
                    String unresolved = snippet instanceof DeclarationSnippet declaration
                            ? shell.unresolvedDependencies(declaration).collect(Collectors.joining(", ")) : "";
                    if (diagnostics.isEmpty() && unresolved.isEmpty()) {
                        throw failure(cell, line, firstLineOf(source), "snippet " + event.status());
                    }
                    Diag first = diagnostics.isEmpty() ? null : diagnostics.get(0);
                    int offset = first == null ? 0 : (int) Math.max(0, first.getStartPosition());
                    int diagLine = lineOf(source, Math.min(offset, source.length()));
                    String message = diagnostics.stream().map(d -> d.getMessage(Locale.ROOT))
                            .collect(Collectors.joining("; "));
                    if (!unresolved.isEmpty()) {
                        message = (message.isEmpty() ? "" : message + "; ") + "unresolved: " + unresolved;
                    }
                    throw failure(cell, line + diagLine - 1, lineAt(source, diagLine),
                            "rejected (" + event.status() + "): " + message);
                default:
                    break;
            }
        }
    }

    private static String describe(JShellException e) {
        if (e instanceof EvalException eval) {
            return "threw " + eval.getExceptionClassName() + ": " + eval.getMessage()
                    + (eval.getCause() != null ? " (caused by " + eval.getCause() + ")" : "");
        }
        if (e instanceof UnresolvedReferenceException unresolved) {
            return "uses an unresolved declaration: " + unresolved.getSnippet().source();
        }
        return "threw " + e;
    }

    /** The 1-based line of the snippet where the exception was thrown, from JShell's "#id" stack frames. */
    private static int exceptionLine(JShellException e, Snippet snippet) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (("#" + snippet.id()).equals(frame.getFileName()) && frame.getLineNumber() > 0) {
                return frame.getLineNumber();
            }
        }
        return 1;
    }

    private void applyMagic(CodeCell cell, int line, String magic) {
        String[] words = magic.substring(1).trim().split("\\s+");
        String name = words[0];
        List<String> args = List.of(words).subList(1, words.length);
        transcript.append(magic).append('\n');
        switch (name) {
            case "maven":
                if (args.isEmpty()) {
                    throw failure(cell, line, magic, "%maven needs group:artifact:version coordinates");
                }
                for (String coordinates : args) {
                    for (Path p : resolveMaven(coordinates, cell, line, magic)) {
                        addToClassPath(p);
                    }
                }
                break;
            case "jars":
            case "classpath":
                if (args.isEmpty()) {
                    throw failure(cell, line, magic, "%" + name + " needs at least one path");
                }
                for (String arg : args) {
                    List<Path> found = glob(arg);
                    if (found.isEmpty()) {
                        throw failure(cell, line, magic, "%" + name + " " + arg + " matches no file (relative to "
                                + notebook.getParent() + ")");
                    }
                    found.forEach(this::addToClassPath);
                }
                break;
            default:
                throw failure(cell, line, magic, "unknown magic %" + name
                        + " (this test knows IJava's %maven, %jars and %classpath)");
        }
    }

    private void addToClassPath(Path path) {
        String entry = path.toAbsolutePath().normalize().toString();
        if (classPath.add(entry)) {
            shell.addToClasspath(entry);
        }
    }

    private List<Path> glob(String arg) {
        Path base = notebook.getParent();
        if (!arg.contains("*") && !arg.contains("?")) {
            Path p = base.resolve(arg);
            return Files.exists(p) ? List.of(p) : List.of();
        }
        Path pattern = base.resolve(arg).normalize();
        Path dir = pattern.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(matcher::matches).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The class path entries of a %maven artifact and its transitive dependencies. */
    private List<Path> resolveMaven(String coordinates, CodeCell cell, int line, String magic) {
        Matcher m = MAVEN_COORDINATES.matcher(coordinates);
        if (!m.matches()) {
            throw failure(cell, line, magic, "'" + coordinates + "' is not group:artifact:version");
        }
        String key = m.group(1) + ":" + m.group(2) + ":" + m.group(3);
        List<Path> fromTree = dependencyTree.get(key);
        if (fromTree != null) {
            return fromTree;
        }
        Path jar = localRepository().resolve(m.group(1).replace('.', '/')).resolve(m.group(2)).resolve(m.group(3))
                .resolve(m.group(2) + "-" + m.group(3) + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw failure(cell, line, magic, coordinates + " is neither a dependency of this module (see "
                    + "target/dependency-tree.txt) nor in the local repository as " + jar);
        }
        return List.of(jar);
    }

    private static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Parses {@code mvn dependency:tree} text output into, for every artifact {@code g:a:v}, the class path
     * entries of it and everything below it. Each entry is found on this JVM's class path: the jar
     * {@code a-v[-classifier].jar}, or for a module of this reactor its {@code a/target/classes} directory.
     */
    private Map<String, List<Path>> readDependencyTree(Path file) {
        Map<String, List<Path>> tree = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return tree;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        record Node(int depth, String key, Optional<Path> entry) {
        }
        List<Node> nodes = new ArrayList<>();
        for (String raw : lines) {
            int start = 0;
            while (start < raw.length() && "|+-\\ ".indexOf(raw.charAt(start)) >= 0) {
                start++;
            }
            if (start == 0 && !nodes.isEmpty()) {
                continue;
            }
            String[] parts = raw.substring(start).split("\\s")[0].split(":");
            if (parts.length < 4) {
                continue;
            }
            String group = parts[0];
            String artifact = parts[1];
            String classifier = parts.length >= 6 ? parts[3] : "";
            String version = parts.length >= 6 ? parts[4] : parts[3];
            String scope = parts.length >= 6 ? parts[5] : parts.length == 5 ? parts[4] : "compile";
            if (scope.equals("test") || scope.equals("provided") || scope.equals("system")) {
                continue;
            }
            nodes.add(new Node(start / 3, group + ":" + artifact + ":" + version,
                    locate(artifact, version, classifier)));
        }
        for (int i = 0; i < nodes.size(); i++) {
            List<Path> entries = new ArrayList<>();
            nodes.get(i).entry().ifPresent(entries::add);
            for (int j = i + 1; j < nodes.size() && nodes.get(j).depth() > nodes.get(i).depth(); j++) {
                nodes.get(j).entry().ifPresent(entries::add);
            }
            tree.putIfAbsent(nodes.get(i).key(), List.copyOf(entries));
        }
        return tree;
    }

    private Optional<Path> locate(String artifact, String version, String classifier) {
        String jar = artifact + "-" + version + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar";
        for (Path entry : jvmClassPath) {
            if (entry.getFileName() != null && entry.getFileName().toString().equals(jar)) {
                return Optional.of(entry);
            }
            if (entry.endsWith(Path.of(artifact, "target", "classes"))) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    private List<Display> displays() {
        Path index = outputDir.resolve("displays.txt");
        List<Display> displays = new ArrayList<>();
        try {
            if (Files.exists(index)) {
                for (String item : Files.readAllLines(index)) {
                    int bar = item.indexOf('|');
                    displays.add(new Display(item.substring(0, bar), Path.of(item.substring(bar + 1))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return displays;
    }

    private void writeTranscript() {
        try {
            Files.writeString(outputDir.resolve("transcript.txt"), transcript);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AssertionError failure(CodeCell cell, int line, String sourceLine, String what) {
        return failure(cell, line, sourceLine, what, null);
    }

    private AssertionError failure(CodeCell cell, int line, String sourceLine, String what, Throwable cause) {
        String where = cell.number() == 0 ? "the display stand-ins"
                : "code cell " + cell.number() + " (cell " + cell.cellIndex() + " of the notebook), line " + line;
        AssertionError error = new AssertionError(notebook.getFileName() + ", " + where + ": "
                + sourceLine.strip() + "\n  " + what);
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }

    /** 1-based line number of a character offset. */
    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String lineAt(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : firstLineOf(text);
    }

    private static String firstLineOf(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String abbreviate(String text) {
        String flat = text.strip();
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
    }
}
