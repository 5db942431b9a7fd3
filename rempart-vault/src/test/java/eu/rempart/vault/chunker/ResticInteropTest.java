package eu.rempart.vault.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.Id;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decisive check: the real restic binary backs up files, and Rempart's chunker, run with the polynomial
 * from that repository's config, must cut every file into exactly the blobs restic stored for it.
 */
class ResticInteropTest {
    private static final Path RESTIC = Path.of("/usr/bin/restic");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void chunkBoundariesEqualResticsBlobs() throws Exception {
        assumeTrue(Files.isExecutable(RESTIC), "restic binary not installed");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Map<String, byte[]> files = new HashMap<>();
        files.put("random40", random(1, 40 * 1024 * 1024));
        files.put("text", text(13 * 1024 * 1024 + 17));
        files.put("periodic", periodic(18 * 1024 * 1024 + 5));
        files.put("zeros", new byte[3 * Chunker.MIN_SIZE + 123]);
        files.put("min", random(2, Chunker.MIN_SIZE));
        files.put("min-plus-one", random(3, Chunker.MIN_SIZE + 1));
        files.put("small", random(4, 5 * 1024 + 3));
        files.put("empty", new byte[0]);
        for (var e : files.entrySet()) {
            Files.write(data.resolve(e.getKey()), e.getValue());
        }
        // The periodic file must exercise the MAX_SIZE cut, otherwise this test would not cover it.
        Path repo = tmp.resolve("repo");
        restic(repo, "init");
        restic(repo, "backup", data.toString());

        JsonNode config = JSON.readTree(restic(repo, "cat", "config"));
        Polynomial pol = Polynomial.parse(config.get("chunker_polynomial").asText());
        assertThat(pol.isIrreducible()).isTrue();
        assertThat(pol.degree()).isEqualTo(53);

        JsonNode snapshots = JSON.readTree(restic(repo, "snapshots", "--json"));
        String snapshotId = snapshots.get(0).get("id").asText();
        JsonNode snapshot = JSON.readTree(restic(repo, "cat", "snapshot", snapshotId));
        Map<String, List<String>> contents = new HashMap<>();
        collectFiles(repo, snapshot.get("tree").asText(), contents);
        assertThat(contents.keySet()).containsAll(files.keySet());

        Chunker chunker = new Chunker(pol);
        boolean sawMaxSize = false;
        for (var e : files.entrySet()) {
            List<String> ours = new ArrayList<>();
            try (InputStream in = Files.newInputStream(data.resolve(e.getKey()))) {
                chunker.reset(in);
                for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
                    ours.add(Id.hash(c).toHex());
                    sawMaxSize |= c.length == Chunker.MAX_SIZE;
                }
            }
            assertThat(ours).as("chunks of %s", e.getKey()).containsExactlyElementsOf(contents.get(e.getKey()));
        }
        assertThat(contents.get("random40")).hasSizeGreaterThan(10);
        assertThat(sawMaxSize).as("some chunk was cut at MAX_SIZE").isTrue();
    }

    private void collectFiles(Path repo, String treeId, Map<String, List<String>> out) throws Exception {
        JsonNode tree = JSON.readTree(restic(repo, "cat", "blob", treeId));
        for (JsonNode node : tree.get("nodes")) {
            String type = node.get("type").asText();
            if (type.equals("dir")) {
                collectFiles(repo, node.get("subtree").asText(), out);
            } else if (type.equals("file")) {
                List<String> ids = new ArrayList<>();
                JsonNode content = node.get("content");
                if (content != null && content.isArray()) {
                    content.forEach(id -> ids.add(id.asText()));
                }
                out.put(node.get("name").asText(), ids);
            }
        }
    }

    private String restic(Path repo, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RESTIC.toString(), "--no-cache", "-q", "-r", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("RESTIC_PASSWORD", "interop-test-password");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("restic %s", String.join(" ", args)).isZero();
        return new String(stdout, StandardCharsets.UTF_8);
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; ) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i < size; j++, v >>>= 8) {
                b[i++] = (byte) v;
            }
        }
        return b;
    }

    /** Log-like lines: highly structured, low entropy, but not periodic. */
    static byte[] text(int size) {
        StringBuilder sb = new StringBuilder(size + 200);
        SplittableRandom r = new SplittableRandom(7);
        for (int line = 0; sb.length() < size; line++) {
            sb.append("2024-01-").append(10 + line % 20).append(" INFO [worker-").append(line % 7)
                    .append("] processed request ").append(line).append(" in ").append(r.nextInt(1000))
                    .append(" ms, status=").append(r.nextInt(4) == 0 ? "retry" : "ok").append('\n');
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), size);
    }

    /**
     * A short random pattern repeated: the fingerprint of a full window only takes as many values as the period,
     * so with almost any seed none of them has 20 zero low bits and every chunk is cut at MAX_SIZE.
     */
    static byte[] periodic(int size) {
        byte[] pattern = random(11, 1021);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = pattern[i % pattern.length];
        }
        return b;
    }
}
