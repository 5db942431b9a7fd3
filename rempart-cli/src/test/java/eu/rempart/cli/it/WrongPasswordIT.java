package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A wrong password: one clear line, exit 1, and not a single byte of the repository changes. */
class WrongPasswordIT extends ItBase {
    @Test
    void wrongPasswordWritesNothingAndLeavesNoLock() throws Exception {
        ok("init");
        Path src = smallTree("src", 1);
        String first = backup(src);
        Path target = tmp.resolve("target");
        Map<String, String> before = fingerprint(repo);

        env.put("REMPART_PASSWORD", "not the password");
        List<List<String>> commands = List.of(
                List.of("backup", src.toString()),
                List.of("backup", "--json", src.toString()),
                List.of("snapshots"),
                List.of("ls", "latest"),
                List.of("restore", "latest", "--target", target.toString()),
                List.of("check", "--read-data"),
                List.of("key", "add"),
                List.of("unlock"));
        for (List<String> cmd : commands) {
            CommandRun r = rempart.run(cmd.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", cmd, r).isEqualTo(1);
            assertThat(r.err()).as("%s", cmd).isEqualTo("rempart: wrong password: no key of the repository opens with it\n");
            assertThat(r.out()).as("%s", cmd).isEmpty();
            assertThat(r.all()).doesNotContain("not the password").doesNotContain(PASSWORD);
        }
        assertThat(Files.exists(target)).as("restore must not even create its target").isFalse();
        assertThat(fingerprint(repo)).isEqualTo(before);
        assertThat(lockFiles()).isEmpty();

        // restic agrees that the repository is untouched and still opens with the right password
        env.put("REMPART_PASSWORD", PASSWORD);
        assertBothChecksPass();
        assertRestoresIdentical(first, src, true);
    }
}
