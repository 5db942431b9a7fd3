package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The second backup of a tree where 1 % of the files changed reads exactly those files. */
class IncrementalIT extends ItBase {
    static final int FILES = 1200;

    @Test
    void onePercentChangedIsAllThatIsRead() throws Exception {
        Path src = tmp.resolve("src");
        Random rnd = new Random(42);
        List<Path> files = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < FILES; i++) {
            Path d = src.resolve("d" + (i % 20));
            Files.createDirectories(d);
            Path f = d.resolve("f" + i + ".dat");
            byte[] b = new byte[1000 + rnd.nextInt(9000)];
            rnd.nextBytes(b);
            Files.write(f, b);
            // a settled mtime well in the past, like files that have not been touched for a while
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_600_000_000_000L + i * 1000L));
            files.add(f);
            total += b.length;
        }
        ok("init");
        JsonNode first = ok("backup", "--json", src.toString()).json();
        assertThat(first.path("files_new").asLong()).isEqualTo(FILES);
        assertThat(first.path("bytes_read").asLong()).isEqualTo(total);
        Path copy = tmp.resolve("copy-of-first");
        assertThat(new ProcessBuilder("cp", "-a", src.toString(), copy.toString()).start().waitFor()).isZero();

        int changed = FILES / 100;
        long changedBytes = 0;
        for (int k = 0; k < changed; k++) {
            Path f = files.get(k * 97 % FILES);
            byte[] b = new byte[500 + rnd.nextInt(12000)];
            rnd.nextBytes(b);
            Files.write(f, b);
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L + k * 1000L));
            changedBytes += b.length;
        }
        CommandRun second = ok("backup", "--json", src.toString());
        JsonNode s = second.json();
        assertThat(second.out().strip().lines()).hasSize(1);
        assertThat(s.path("files_changed").asLong()).isEqualTo(changed);
        assertThat(s.path("files_unmodified").asLong()).isEqualTo(FILES - changed);
        assertThat(s.path("files_new").asLong()).isZero();
        assertThat(s.path("total_files_processed").asLong()).isEqualTo(FILES);
        assertThat(s.path("bytes_read").asLong()).isEqualTo(changedBytes);
        assertThat(s.path("errors")).isEmpty();

        // restic's view of the same two snapshots: restic diff counts the modified files
        String diff = restic.run("diff", first.path("snapshot_id").asText(), s.path("snapshot_id").asText())
                .assertOk().out();
        assertThat(diff.lines().filter(l -> l.startsWith("M ")).count()).as(diff).isEqualTo(changed);

        assertBothChecksPass();
        assertRestoresIdentical(s.path("snapshot_id").asText(), src, true);
        // the first snapshot still has the old contents; compared to the copy taken then
        Path t = tmp.resolve("restore-first");
        restic.run("restore", first.path("snapshot_id").asText(), "--target", t.toString()).assertOk();
        for (Path f : files) {
            Path rel = src.relativize(f);
            assertThat(Files.mismatch(copy.resolve(rel), within(t, src).resolve(rel))).as(rel.toString()).isEqualTo(-1L);
        }
    }
}
