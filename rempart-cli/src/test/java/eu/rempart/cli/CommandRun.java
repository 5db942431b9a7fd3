package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What one rempart command did, in-process (CliTest) or as a separate process (the ITs). */
public record CommandRun(int code, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The environment of a command-line test on one repository: its location and password, and
     * cheap key derivation. Mutable, for tests that add to it.
     */
    public static Map<String, String> env(Path repo, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("REMPART_KDF_TESTING", "1");
        env.put("REMPART_PASSWORD", password);
        env.put("REMPART_REPOSITORY", repo.toString());
        return env;
    }

    /** Runs a command in this process ({@link Main#run}) with this environment and no terminal. */
    public static CommandRun inProcess(Map<String, String> env, String... args) {
        return inProcess(StandardCharsets.UTF_8, env, args);
    }

    /** The same, with standard output decoded from {@code out} (ISO-8859-1 keeps binary output byte for byte). */
    public static CommandRun inProcess(Charset out, Map<String, String> env, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), env);
        return new CommandRun(code, o.toString(out), e.toString(StandardCharsets.UTF_8));
    }

    /** Fails, with the command and all it printed, unless it exited with 0. */
    public CommandRun assertOk(String... args) {
        assertThat(code).as("rempart %s\n%s", List.of(args), this).isZero();
        return this;
    }

    public JsonNode json() throws IOException {
        return JSON.readTree(out);
    }

    /** The id of the snapshot a {@code backup --json} reported in its summary line. */
    public String snapshotId() throws IOException {
        return jsonLines().stream().filter(n -> n.path("message_type").asText().equals("summary"))
                .findFirst().orElseThrow().path("snapshot_id").asText();
    }

    /** One JSON document per non-blank line (progress and summary messages). */
    public List<JsonNode> jsonLines() throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String s : out.split("\n")) {
            if (!s.isBlank()) {
                l.add(JSON.readTree(s));
            }
        }
        return l;
    }

    public String all() {
        return out + err;
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
