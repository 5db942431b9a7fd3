package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What one rempart command did, in-process (CliTest) or as a separate process (the ITs). */
public record CommandRun(int code, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JsonNode json() throws IOException {
        return JSON.readTree(out);
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
