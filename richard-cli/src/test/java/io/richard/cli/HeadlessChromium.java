package io.richard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Debian's {@code chromium}, headless, driven over the Chrome DevTools protocol (a WebSocket from the JDK's
 * {@link HttpClient}; no driver binary, no library): opens a page, records every network request and every console
 * message, exception and browser log entry it causes, evaluates JavaScript in it and takes a full-page screenshot.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final long TIMEOUT_SECONDS = 60;

    /** What a page did while it loaded, and what it looks like. */
    record Page(String url, List<String> requests, List<String> problems, JsonNode dom, byte[] screenshot) {
        /** Requests to anything but the page itself and {@code data:} URLs (which are inline). */
        List<String> networkRequests() {
            return requests.stream().filter(u -> !u.equals(url) && !u.startsWith("data:")).toList();
        }
    }

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new ArrayList<>();
    private final List<String> output;

    /**
     * The browser to use: {@code RICHARD_CHROMIUM} if set, else {@code chromium}, {@code chromium-browser},
     * {@code google-chrome} on the PATH.
     */
    static Optional<Path> find() {
        String given = System.getenv("RICHARD_CHROMIUM");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts the browser headless with a new empty profile (deleted by {@link #close}). */
    static HeadlessChromium start(Path executable) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("richard-chromium-");
        List<String> command = List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--mute-audio", "--remote-allow-origins=*", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank");
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null"))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) {
                        endpoint.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the browser ended
            }
            endpoint.completeExceptionally(new IOException("the browser ended without a DevTools endpoint"));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            String ws = endpoint.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new HeadlessChromium(process, profile, URI.create(ws), output);
        } catch (Exception e) {
            process.destroyForcibly();
            deleteTree(profile);
            throw new IOException("cannot start " + executable + ": " + e.getMessage() + "; it printed: "
                    + String.join("\n", output), e);
        }
    }

    private HeadlessChromium(Process process, Path profile, URI endpoint, List<String> output) throws IOException {
        this.process = process;
        this.profile = profile;
        this.output = output;
        try {
            this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(endpoint, new Listener()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("cannot connect to the browser at " + endpoint + ": " + e, e);
        }
    }

    /** Receives the protocol's messages: answers complete their command, events are kept. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(text.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
                        if (answer != null) {
                            answer.complete(message);
                        }
                    } else {
                        synchronized (events) {
                            events.add(message);
                            events.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    text.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    /** Sends a command (to a page's session when {@code session} is not null) and waits for its result. */
    JsonNode send(String session, String method, Map<String, Object> params) throws IOException {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        if (session != null) {
            message.put("sessionId", session);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            socket.sendText(JSON.writeValueAsString(message), true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            JsonNode reply = answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IOException(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + " interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(method + " got no answer: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    /** Waits for an event of a session; the events before it stay recorded. */
    private JsonNode await(String session, String method) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (events) {
            while (true) {
                for (JsonNode event : events) {
                    if (method.equals(event.path("method").asText()) && session.equals(event.path("sessionId").asText())) {
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no " + method + " within " + TIMEOUT_SECONDS + " s");
                }
                events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * Loads {@code file} in a new tab of {@code width} CSS pixels, waits for its load event and a moment more, then
     * evaluates {@code domQuery} (a JavaScript expression whose value is JSON-able) and takes a full-page screenshot.
     */
    Page open(Path file, int width, int height, String domQuery) throws IOException, InterruptedException {
        String url = file.toAbsolutePath().toUri().toString();
        String target = send(null, "Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
        String session = send(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                .path("sessionId").asText();
        try {
            for (String domain : List.of("Page", "Network", "Runtime", "Log")) {
                send(session, domain + ".enable", Map.of());
            }
            send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                    "deviceScaleFactor", 1, "mobile", false));
            synchronized (events) {
                events.removeIf(e -> session.equals(e.path("sessionId").asText()));   // about:blank's
            }
            send(session, "Page.navigate", Map.of("url", url));
            await(session, "Page.loadEventFired");
            Thread.sleep(300);                                    // late console messages and requests
            JsonNode value = send(session, "Runtime.evaluate", Map.of("expression", domQuery, "returnByValue", true,
                    "awaitPromise", true));
            if (value.has("exceptionDetails")) {
                throw new IOException("the DOM query failed: " + value.get("exceptionDetails"));
            }
            JsonNode size = send(session, "Page.getLayoutMetrics", Map.of()).path("cssContentSize");
            int pageHeight = (int) Math.ceil(size.path("height").asDouble(height));
            send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height",
                    Math.max(height, Math.min(pageHeight, 16000)), "deviceScaleFactor", 1, "mobile", false));
            String data = send(session, "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true))
                    .path("data").asText();
            List<String> requests = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            synchronized (events) {
                for (JsonNode event : events) {
                    if (!session.equals(event.path("sessionId").asText())) {
                        continue;
                    }
                    JsonNode p = event.path("params");
                    switch (event.path("method").asText()) {
                        case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
                        case "Network.loadingFailed" -> problems.add("loading failed: " + p.path("errorText").asText());
                        case "Runtime.exceptionThrown" -> problems.add("exception: " + p.path("exceptionDetails"));
                        case "Runtime.consoleAPICalled" -> {
                            String type = p.path("type").asText();
                            if (List.of("error", "warning", "assert").contains(type)) {
                                problems.add("console." + type + ": " + p.path("args"));
                            }
                        }
                        case "Log.entryAdded" -> {
                            String level = p.path("entry").path("level").asText();
                            if (List.of("error", "warning").contains(level)) {
                                problems.add("log " + level + ": " + p.path("entry").path("text").asText() + " "
                                        + p.path("entry").path("url").asText());
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
            return new Page(url, requests, problems, value.path("result").path("value"),
                    Base64.getDecoder().decode(data));
        } finally {
            send(null, "Target.closeTarget", Map.of("targetId", target));
        }
    }

    /** What the browser printed on standard error (for failure messages). */
    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws IOException {
        try {                                                     // the browser may go before it answers
            socket.sendText("{\"id\":" + ids.incrementAndGet() + ",\"method\":\"Browser.close\"}", true)
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        socket.abort();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
