package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A damaged or missing pack: both checkers fail and rempart names the pack; every file whose data
 * is elsewhere still restores byte-identical.
 */
class DamagedPackIT extends ItBase {
    static final int FILES = 5;
    /** The file whose data pack gets damaged (1-based). */
    static final int VICTIM = 3;

    Path src;
    String victimPack;
    List<String> snapshots = new ArrayList<>();

    /**
     * Backs up the files one more per snapshot, so each backup's only new data is that one file
     * (each file is one blob, under the chunker's minimum size): the largest pack appearing with
     * backup k holds file k's data and nothing else. This is learnt from the directory, not from rempart.
     */
    void setUpRepository() throws Exception {
        ok("init");
        src = tmp.resolve("src");
        Files.createDirectories(src);
        for (int k = 1; k <= FILES; k++) {
            Set<String> before = new HashSet<>(packs());
            writeKeystream(src.resolve("file-" + k + ".bin"), 300_000 + k * 1000, k);
            snapshots.add(backup(src));
            List<String> fresh = packs().stream().filter(id -> !before.contains(id)).toList();
            assertThat(fresh).isNotEmpty();
            if (k == VICTIM) {
                victimPack = fresh.stream().max(Comparator.comparingLong(this::packSize)).orElseThrow();
                assertThat(packSize(victimPack)).isGreaterThan(300_000);
            }
        }
        // restic's own index agrees: the pack holds exactly one data blob
        String indexes = restic.run("list", "index").assertOk().out();
        int dataBlobs = 0;
        for (String idx : indexes.strip().split("\n")) {
            for (var pack : RempartProcess.JSON.readTree(restic.run("cat", "index", idx).assertOk().out()).path("packs")) {
                if (pack.path("id").asText().equals(victimPack)) {
                    for (var b : pack.path("blobs")) {
                        assertThat(b.path("type").asText()).isEqualTo("data");
                        dataBlobs++;
                    }
                }
            }
        }
        assertThat(dataBlobs).isEqualTo(1);
        assertBothChecksPass();
    }

    long packSize(String id) {
        try {
            return Files.size(packPath(id));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * One repository built once (five backups are the slow part), copied so that the two kinds of
     * damage are each tried on an otherwise identical repository.
     */
    @Test
    void corruptedPackThenMissingPack() throws Exception {
        setUpRepository();
        Path pristine = tmp.resolve("repo-copy");
        assertThat(new ProcessBuilder("cp", "-a", repo.toString(), pristine.toString()).start().waitFor()).isZero();

        // 1. bytes flipped inside the pack
        Path pack = packPath(victimPack);
        Files.setPosixFilePermissions(pack, PosixFilePermissions.fromString("rw-------"));
        byte[] b = Files.readAllBytes(pack);
        for (int i = 0; i < 16; i++) {
            b[b.length / 3 + i * 7] ^= (byte) 0x5a;
        }
        Files.write(pack, b);
        assertDamageDetectedAndRestOfDataRestores("corrupted");

        // 2. the pack deleted, on the undamaged copy
        repo = pristine;
        env.put("REMPART_REPOSITORY", repo.toString());
        restic = new eu.rempart.vault.testing.Restic(repo, PASSWORD);
        Files.delete(packPath(victimPack));
        assertDamageDetectedAndRestOfDataRestores("missing");
    }

    void assertDamageDetectedAndRestOfDataRestores(String kind) throws Exception {
        CommandRun check = rempart.run("check", "--read-data");
        assertThat(check.code()).as(kind + " " + check).isEqualTo(1);
        assertThat(check.err()).as(check.toString()).contains("pack " + victimPack);
        CommandRun checkJson = rempart.run("check", "--read-data", "--json");
        assertThat(checkJson.code()).isEqualTo(1);
        assertThat(checkJson.json().path("ok").asBoolean()).isFalse();
        assertThat(checkJson.json().path("errors").toString()).contains("pack " + victimPack);
        // restic retries a missing file for about 45 s under --read-data; its plain check already
        // compares the index with the pack files, so that is enough for a missing pack
        var resticCheck = kind.equals("missing") ? restic.run("check") : restic.run("check", "--read-data");
        assertThat(resticCheck.exit()).as("restic check must fail too").isNotZero();
        assertThat(resticCheck.out() + resticCheck.err()).contains(victimPack.substring(0, 8));

        // the latest snapshot: every file but the victim comes back intact, the victim is reported
        Path target = tmp.resolve("restored-" + kind);
        CommandRun r = rempart.run("restore", "latest", "--target", target.toString());
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("file-" + VICTIM + ".bin");
        Path restored = within(target, src);
        for (int k = 1; k <= FILES; k++) {
            Path f = restored.resolve("file-" + k + ".bin");
            if (k == VICTIM) {
                // never silently wrong: absent, or (if present) not claimed as good content
                if (Files.exists(f)) {
                    assertThat(TreeCompare.sha(f)).isNotEqualTo(TreeCompare.sha(src.resolve(f.getFileName())));
                }
            } else {
                assertThat(TreeCompare.sha(f)).as(f.toString()).isEqualTo(TreeCompare.sha(src.resolve(f.getFileName())));
            }
        }
        assertThat(lockFiles()).isEmpty();

        // snapshots taken before the victim file existed do not need the pack: fully intact
        Path t = tmp.resolve("restore-earlier-" + kind);
        ok("restore", snapshots.get(VICTIM - 2), "--target", t.toString());
        for (int k = 1; k < VICTIM; k++) {
            Path f = within(t, src).resolve("file-" + k + ".bin");
            assertThat(TreeCompare.sha(f)).isEqualTo(TreeCompare.sha(src.resolve(f.getFileName())));
        }
        try (var s = Files.list(within(t, src))) {
            assertThat(s.count()).isEqualTo(VICTIM - 1);
        }
    }
}
