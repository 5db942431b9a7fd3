package eu.rempart.vault.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.Id;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Interoperability with the real restic 0.14 binary, in both directions. */
class ResticInteropTest {
    private static final Path RESTIC = Path.of("/usr/bin/restic");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "interop-pässword";

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireRestic() {
        assumeTrue(Files.isExecutable(RESTIC), "restic binary not installed at /usr/bin/restic");
    }

    record Result(int exit, String out, String err) {
    }

    private static Result restic(Path repo, String password, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RESTIC.toString(), "--no-cache", "-r", repo.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("RESTIC_"));
        pb.environment().put("RESTIC_PASSWORD", password);
        Path out = Files.createTempFile("restic", ".out");
        Path err = Files.createTempFile("restic", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("restic timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Result ok(Result r) {
        assertThat(r.exit()).as("restic failed: %s", r.err()).isZero();
        return r;
    }

    private Path resticInit() throws Exception {
        Path repo = tmp.resolve("restic-repo");
        ok(restic(repo, PASSWORD, "init"));
        return repo;
    }

    private static List<Path> keyFiles(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve("keys"))) {
            return s.sorted().toList();
        }
    }

    private static MasterKey unlockAny(Path repo, String password) throws IOException {
        for (Path p : keyFiles(repo)) {
            try {
                return KeyFile.parse(Files.readAllBytes(p)).unlock(password.toCharArray());
            } catch (WrongPasswordException e) {
                // try the next key, as restic does
            }
        }
        throw new WrongPasswordException();
    }

    @Test
    void opensARepositoryResticInitialised() throws Exception {
        Path repo = resticInit();
        List<Path> keys = keyFiles(repo);
        assertThat(keys).hasSize(1);
        byte[] keyBytes = Files.readAllBytes(keys.get(0));
        // the file name is the SHA-256 of its content, and Rempart keeps the exact bytes
        assertThat(keys.get(0).getFileName().toString()).isEqualTo(Id.hash(keyBytes).toHex());
        KeyFile kf = KeyFile.parse(keyBytes);
        assertThat(kf.toJson()).isEqualTo(keyBytes);
        assertThat(kf.params().n()).isGreaterThanOrEqualTo(1 << 15);

        MasterKey master = kf.unlock(PASSWORD.toCharArray());
        JsonNode expected = JSON.readTree(ok(restic(repo, PASSWORD, "cat", "masterkey")).out());
        Base64.Encoder b64 = Base64.getEncoder();
        assertThat(b64.encodeToString(master.encryptionKey())).isEqualTo(expected.get("encrypt").asText());
        assertThat(b64.encodeToString(master.macK())).isEqualTo(expected.at("/mac/k").asText());
        assertThat(b64.encodeToString(master.macR())).isEqualTo(expected.at("/mac/r").asText());

        // the config file is sealed, uncompressed JSON
        JsonNode config = JSON.readTree(master.open(Files.readAllBytes(repo.resolve("config"))));
        JsonNode resticConfig = JSON.readTree(ok(restic(repo, PASSWORD, "cat", "config")).out());
        assertThat(config.get("version").asInt()).isEqualTo(2).isEqualTo(resticConfig.get("version").asInt());
        assertThat(config.get("id").asText()).isEqualTo(resticConfig.get("id").asText());
        assertThat(config.get("chunker_polynomial").asText()).isEqualTo(resticConfig.get("chunker_polynomial").asText());

        assertThatThrownBy(() -> kf.unlock("wrong".toCharArray())).isInstanceOf(WrongPasswordException.class);
    }

    @Test
    void keysAddedByEitherSideOpenOnTheOther() throws Exception {
        Path repo = resticInit();
        MasterKey master = unlockAny(repo, PASSWORD);

        // restic adds a key: Rempart unlocks the same master key with it
        Path pwFile = tmp.resolve("new-password");
        Files.writeString(pwFile, "second password\n");
        ok(restic(repo, PASSWORD, "key", "add", "--new-password-file", pwFile.toString()));
        MasterKey viaSecond = unlockAny(repo, "second password");
        assertThat(viaSecond.encryptionKey()).isEqualTo(master.encryptionKey());

        // Rempart adds a key with restic's default-sized parameters: restic opens the repository with it
        KeyFile third = KeyFile.create("third password".toCharArray(), master, new KdfParams(1 << 15, 8, 1),
            "rempart", "interop-host", Instant.now());
        byte[] bytes = third.toJson();
        Files.write(repo.resolve("keys").resolve(Id.hash(bytes).toHex()), bytes);
        Result listed = ok(restic(repo, "third password", "key", "list", "--json"));
        JsonNode keys = JSON.readTree(listed.out());
        assertThat(keys).hasSize(3);
        boolean found = false;
        for (JsonNode k : keys) {
            if (k.get("id").asText().equals(Id.hash(bytes).shortHex())) { // restic 0.14 lists short ids
                found = true;
                assertThat(k.get("current").asBoolean()).isTrue();
                assertThat(k.get("userName").asText()).isEqualTo("rempart");
                assertThat(k.get("hostName").asText()).isEqualTo("interop-host");
            }
        }
        assertThat(found).as("restic lists Rempart's key as current").isTrue();
        ok(restic(repo, "third password", "cat", "config"));
    }

    @Test
    void resticOpensAndChecksARepositoryRempartBuilt() throws Exception {
        // borrow a valid chunker polynomial from a repository restic created
        Path donor = resticInit();
        String polynomial = JSON.readTree(ok(restic(donor, PASSWORD, "cat", "config")).out())
            .get("chunker_polynomial").asText();

        Path repo = tmp.resolve("rempart-repo");
        for (String dir : List.of("index", "keys", "locks", "snapshots")) {
            Files.createDirectories(repo.resolve(dir));
        }
        for (int i = 0; i < 256; i++) {
            Files.createDirectories(repo.resolve("data").resolve(String.format("%02x", i)));
        }
        MasterKey master = MasterKey.generate();
        byte[] idBytes = new byte[32];
        new SecureRandom().nextBytes(idBytes);
        String repoId = HexFormat.of().formatHex(idBytes);
        byte[] config = ("{\"version\":2,\"id\":\"" + repoId + "\",\"chunker_polynomial\":\"" + polynomial + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        Files.write(repo.resolve("config"), master.seal(config));
        KeyFile kf = KeyFile.create(PASSWORD.toCharArray(), master, KdfParams.forTests(), "rempart", "buildhost",
            Instant.now());
        byte[] keyBytes = kf.toJson();
        String keyId = Id.hash(keyBytes).toHex();
        Files.write(repo.resolve("keys").resolve(keyId), keyBytes);

        JsonNode cfg = JSON.readTree(ok(restic(repo, PASSWORD, "cat", "config")).out());
        assertThat(cfg.get("version").asInt()).isEqualTo(2);
        assertThat(cfg.get("id").asText()).isEqualTo(repoId);
        assertThat(cfg.get("chunker_polynomial").asText()).isEqualTo(polynomial);

        JsonNode masterJson = JSON.readTree(ok(restic(repo, PASSWORD, "cat", "masterkey")).out());
        assertThat(masterJson.get("encrypt").asText()).isEqualTo(Base64.getEncoder().encodeToString(master.encryptionKey()));

        Result list = ok(restic(repo, PASSWORD, "key", "list"));
        assertThat(list.out()).contains(keyId.substring(0, 8)).contains("rempart").contains("buildhost");

        Result check = ok(restic(repo, PASSWORD, "check", "--read-data"));
        assertThat(check.out()).contains("no errors were found");

        Result wrong = restic(repo, "not the password", "cat", "config");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err()).contains("wrong password");
    }
}
