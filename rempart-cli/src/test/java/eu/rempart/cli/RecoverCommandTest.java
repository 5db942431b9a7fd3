package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rempart recover} in-process, on a real repository and a real attacked folder. */
class RecoverCommandTest {
    static final String PASSWORD = "recover cli password";

    @TempDir
    Path tmp;
    Path repo;
    Path src;
    Path pwFile;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        repo = tmp.resolve("repo");
        src = tmp.resolve("src");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("a.txt"), "hello\n");
        Files.writeString(src.resolve("sub/b.txt"), "b".repeat(5000));
        pwFile = tmp.resolve("pw");
        Files.writeString(pwFile, PASSWORD + "\n");
        env = new HashMap<>();
        env.put("REMPART_KDF_TESTING", "1");
        env.put("REMPART_HOST", "cabinet");
        env.put("HOME", tmp.resolve("home").toString());
        env.put("XDG_DATA_HOME", tmp.resolve("home/.local/share").toString());
        assertThat(rempart("-r", repo.toString(), "--password-file", pwFile.toString(), "init").code()).isZero();
        assertThat(rempart("-r", repo.toString(), "--password-file", pwFile.toString(), "backup", src.toString()).code()).isZero();
        Thread.sleep(60);
    }

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(env, args);
    }

    CommandRun recover(String... extra) {
        String[] base = {"-r", repo.toString(), "--password-file", pwFile.toString(), "recover"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return rempart(all);
    }

    @Test
    void recoversWithJsonAndExitsThreeWhenSomethingHasNoEarlierVersion() throws Exception {
        String since = Instant.now().toString();
        Thread.sleep(60);
        Files.writeString(src.resolve("a.txt"), "encrypted garbage");
        Files.writeString(src.resolve("sub/HOW_TO_DECRYPT.txt"), "pay");

        CommandRun dry = recover("--since", since, "--dry-run", "--json");
        assertThat(dry.code()).as(dry.toString()).isEqualTo(3);
        assertThat(Files.readString(src.resolve("a.txt"))).isEqualTo("encrypted garbage");

        CommandRun r = recover("--since", since, "--json");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.PARTIAL);
        JsonNode j = r.json();
        assertThat(j.get("restored_count").asInt()).isEqualTo(1);
        assertThat(j.get("quarantined_count").asInt()).isEqualTo(2);
        assertThat(j.get("not_restorable").get(0).get("path").asText()).endsWith("sub/HOW_TO_DECRYPT.txt");
        assertThat(j.toString()).doesNotContain(PASSWORD);
        assertThat(Files.readString(src.resolve("a.txt"))).isEqualTo("hello\n");
        Path q = Path.of(j.get("quarantine").asText());
        assertThat(q).startsWith(tmp.resolve("home/.local/share/rempart/quarantine"));
        assertThat(q.resolve("MANIFEST.json")).exists();

        CommandRun again = recover("--since", since, "--lang", "en");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("0 restored, 0 quarantined, 0 not restorable");
    }

    @Test
    void frenchReportByDefault() throws Exception {
        String since = Instant.now().toString();
        Thread.sleep(60);
        Files.delete(src.resolve("sub/b.txt"));
        CommandRun r = recover("--since", since, "--quarantine", tmp.resolve("q").toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("restauré : " + src.resolve("sub/b.txt")).contains("1 restauré(s)");
        assertThat(Files.readString(src.resolve("sub/b.txt"))).isEqualTo("b".repeat(5000));
    }

    @Test
    void clearErrors() {
        CommandRun bad = recover("--since", "hier");
        assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).contains("heure invalide « hier »");

        CommandRun none = recover("--since", "2000-01-01 00:00:00", "--lang", "en");
        assertThat(none.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(none.err()).contains("no snapshot of host cabinet taken before 2000-01-01 00:00:00");

        env.put("REMPART_PASSWORD", "wrong");
        CommandRun wrong = rempart("-r", repo.toString(), "recover", "--since", Instant.now().toString());
        assertThat(wrong.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(wrong.err()).contains("mot de passe").doesNotContain("wrong");
    }
}
