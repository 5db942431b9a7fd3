package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.forget.Forget;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code rempart forget} on a real repository, checked with the real restic: what Rempart keeps is
 * exactly what restic then lists, the repository stays valid, a dry run removes nothing, and a
 * poisoned history (future-dated or suspect snapshots) never pushes good snapshots out.
 */
class ForgetCommandTest {
    static final String PASSWORD = "forget pässword";

    @TempDir
    Path tmp;
    Path repo;
    Map<String, String> env;
    Restic restic;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Restic.available(), "restic is not installed");
        repo = tmp.resolve("repo");
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("agenda.txt"), "lundi 9h\n");
        env = CommandRun.env(repo, PASSWORD);
        env.put("REMPART_HOST", "cabinet");
        restic = new Restic(repo, PASSWORD);
        ok("init");
        ok("backup", "--host", "cabinet", src.toString());
    }

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(env, args);
    }

    CommandRun ok(String... args) {
        return rempart(args).assertOk(args);
    }

    /**
     * Adds snapshots of the backed-up tree at these times (and tags), as snapshot files; returns
     * their full ids in the order given.
     */
    List<String> addSnapshots(List<Instant> times, List<String> tags) throws IOException {
        List<String> ids = new ArrayList<>();
        try (Repository r = Repository.open(new LocalBackend(repo), PASSWORD.toCharArray())) {
            Snapshot base = Snapshots.loadAll(r).get(0);
            for (Instant t : times) {
                Snapshot s = new Snapshot(null, t, null, base.tree(), base.paths(), base.hostname(), base.username(),
                        base.uid(), base.gid(), List.of(), tags, null, base.programVersion(), null);
                ids.add(Snapshots.save(r, s).toHex());
            }
        }
        return ids;
    }

    Set<String> snapshotFiles() throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve("snapshots"))) {
            return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    Set<String> resticSnapshots() throws Exception {
        Set<String> ids = new HashSet<>();
        JsonNode a = CommandRunJson.parse(restic.run("snapshots", "--json").assertOk().out());
        a.forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    static List<String> ids(JsonNode a) {
        List<String> l = new ArrayList<>();
        if (a != null) {
            a.forEach(s -> l.add(s.get("id").asText()));
        }
        return l;
    }

    static Instant daysAgo(int d) {
        return Instant.now().minus(Duration.ofDays(d));
    }

    @Test
    void keepLastRemovesTheOthersAndResticSeesExactlyWhatWasKept() throws Exception {
        String newest = snapshotFiles().iterator().next(); // the backup, made now
        List<String> older = addSnapshots(List.of(daysAgo(4), daysAgo(3), daysAgo(2), daysAgo(1)), List.of());
        Set<String> before = snapshotFiles();
        assertThat(before).hasSize(5);

        // a dry run lists, removes nothing, leaves no lock
        CommandRun dry = ok("forget", "--dry-run", "--keep-last", "2");
        assertThat(dry.out()).contains("Politique appliquée : garder le(s) 2 dernier(s)")
                .contains("2 instantané(s) conservé(s)").contains("3 instantané(s) à supprimer")
                .contains("dernier instantané").contains("Simulation");
        assertThat(snapshotFiles()).isEqualTo(before);
        JsonNode dryJson = ok("forget", "-n", "-l", "2", "--json").json();
        assertThat(snapshotFiles()).isEqualTo(before);
        assertThat(ids(dryJson.get(0).get("keep"))).containsExactly(newest, older.get(3));

        JsonNode groups = ok("forget", "--keep-last", "2", "--json").json();
        assertThat(groups).hasSize(1);
        JsonNode g = groups.get(0);
        assertThat(g.get("host").asText()).isEqualTo("cabinet");
        assertThat(g.get("tags").isNull()).isTrue();
        assertThat(g.get("paths")).hasSize(1);
        assertThat(ids(g.get("keep"))).containsExactly(newest, older.get(3));
        assertThat(ids(g.get("remove"))).containsExactly(older.get(2), older.get(1), older.get(0));
        assertThat(g.get("reasons").get(0).get("matches").get(0).asText()).isEqualTo("last snapshot");
        assertThat(g.get("reasons").get(0).get("counters").get("last").asInt()).isEqualTo(1);
        assertThat(g.get("reasons").get(1).get("counters").size()).isZero();

        assertThat(snapshotFiles()).containsExactlyInAnyOrder(newest, older.get(3));
        assertThat(resticSnapshots()).containsExactlyInAnyOrder(newest, older.get(3));
        assertThat(Files.list(repo.resolve("locks")).count()).isZero();
        restic.run("check").assertOk();
        // restic agrees there is nothing more to forget
        JsonNode again = CommandRunJson.parse(restic.run("forget", "--dry-run", "--json", "--keep-last", "2")
                .assertOk().out());
        assertThat(again.get(0).get("remove").isNull()).isTrue();
    }

    @Test
    void futureDatedAndSuspectSnapshotsNeverPushGoodOnesOut() throws Exception {
        String newest = snapshotFiles().iterator().next();
        List<String> good = addSnapshots(List.of(daysAgo(3), daysAgo(2)), List.of());
        String future = addSnapshots(List.of(Instant.now().plus(Duration.ofDays(5 * 365))), List.of()).get(0);
        List<String> suspect = addSnapshots(List.of(Instant.now().minus(Duration.ofMinutes(30)),
                Instant.now().minus(Duration.ofMinutes(20))), List.of("nightly", Forget.SUSPECT_TAG));

        // restic itself would keep only the future one: the attack wins there
        JsonNode theirs = CommandRunJson.parse(restic.run("forget", "--dry-run", "--json", "--keep-last", "1")
                .assertOk().out());
        assertThat(ids(theirs.get(0).get("keep"))).containsExactly(future);

        CommandRun human = ok("--lang", "en", "forget", "--dry-run", "--keep-last", "1");
        assertThat(human.out()).contains("in the future").contains("suspect").contains("last snapshot");
        JsonNode g = ok("forget", "--keep-last", "1", "--json").json().get(0);
        assertThat(ids(g.get("keep"))).containsExactly(future, newest, suspect.get(1), suspect.get(0));
        assertThat(ids(g.get("remove"))).containsExactlyInAnyOrderElementsOf(good);
        List<String> reasons = new ArrayList<>();
        g.get("reasons").forEach(r -> reasons.add(r.get("matches").toString()));
        assertThat(reasons).containsExactly("[\"in the future\"]", "[\"last snapshot\"]", "[\"suspect\"]",
                "[\"suspect\"]");
        assertThat(resticSnapshots()).containsExactlyInAnyOrder(future, newest, suspect.get(0), suspect.get(1));

        // a second run, even with the tightest policy, still leaves them: only a person removes them
        ok("forget", "--keep-last", "1", "--keep-within", "1h");
        assertThat(snapshotFiles()).containsExactlyInAnyOrder(future, newest, suspect.get(0), suspect.get(1));

        // by naming them (an id prefix is enough); an unknown id is reported and skipped, as restic does
        CommandRun named = ok("forget", future.substring(0, 10), suspect.get(0), "0123456789abcdef");
        assertThat(named.err()).contains("0123456789abcdef");
        assertThat(named.out()).contains("2 instantané(s) supprimé(s)");
        assertThat(resticSnapshots()).containsExactlyInAnyOrder(newest, suspect.get(1));
        restic.run("check").assertOk();
    }

    @Test
    void removalTakesAnExclusiveLockADryRunASharedOne() throws Exception {
        addSnapshots(List.of(daysAgo(2), daysAgo(1)), List.of());
        Set<String> before = snapshotFiles();
        try (Repository r = Repository.open(new LocalBackend(repo), PASSWORD.toCharArray());
                Lock shared = Lock.acquire(r, false, "cabinet", "someone")) {
            CommandRun refused = rempart("forget", "--keep-last", "1");
            assertThat(refused.code()).as(refused.toString()).isEqualTo(ExitCodes.LOCKED);
            assertThat(snapshotFiles()).isEqualTo(before);
            // a dry run coexists with a backup's shared lock
            assertThat(ok("forget", "--dry-run", "--keep-last", "1").out()).contains("Simulation");
        }
        ok("forget", "--keep-last", "1");
        assertThat(snapshotFiles()).hasSize(1);
    }

    @Test
    void forgetPruneRemovesTheDataOnlyTheForgottenSnapshotsUsed() throws Exception {
        Path xray = tmp.resolve("xray");
        Files.createDirectories(xray);
        byte[] image = new byte[3 << 20];
        new java.util.Random(7).nextBytes(image);
        Files.write(xray.resolve("panoramique.dcm"), image);
        ok("backup", "--host", "cabinet", xray.toString());
        Files.delete(xray.resolve("panoramique.dcm"));
        Files.writeString(xray.resolve("note.txt"), "image supprimée\n");
        ok("backup", "--host", "cabinet", xray.toString());
        long before = dataBytes();

        CommandRun r = ok("--lang", "en", "--json", "forget", "--keep-last", "1", "--prune");
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(2); // forget's groups, then prune's summary
        JsonNode summary = new CommandRun(0, lines[1], "").json();
        assertThat(summary.path("message_type").asText()).isEqualTo("prune_summary");
        assertThat(summary.path("packs_deleted").asInt()).isPositive();
        assertThat(summary.path("bytes").path("delete").asLong()).isGreaterThan(3 << 20);
        assertThat(dataBytes()).isLessThan(before - (3 << 20));
        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        assertThat(resticSnapshots()).hasSize(2); // the newest of each path group
        // text output: restic's steps
        addSnapshots(List.of(daysAgo(3)), List.of());
        CommandRun text = ok("--lang", "en", "forget", "--keep-last", "1", "--group-by", "host", "--prune");
        assertThat(text.out()).contains("snapshots have been removed, running prune", "finding data that is still in use",
                "total prune:", "done").containsPattern("unused size: \\d+\\.\\d{3}% of total size");
        // percentages in the user's locale
        addSnapshots(List.of(daysAgo(2)), List.of());
        assertThat(ok("forget", "--keep-last", "1", "--group-by", "host", "--prune").out())
                .containsPattern("part inutilisée : \\d+,\\d{3} % du total");
    }

    long dataBytes() throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("data"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void refusedFlagsRemoveNothing() throws Exception {
        addSnapshots(List.of(daysAgo(2), daysAgo(1)), List.of());
        Set<String> before = snapshotFiles();
        CommandRun negative = rempart("forget", "--keep-last", "-1");
        assertThat(negative.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(negative.err()).contains("--keep-last -1");
        CommandRun prune = rempart("--lang", "en", "forget", "--keep-last", "1", "--prune", "--max-unused", "100%");
        assertThat(prune.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(prune.err()).contains("percentage for --max-unused must be below 100%");
        CommandRun duration = rempart("--lang", "en", "forget", "--keep-within", "5");
        assertThat(duration.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(duration.err()).contains("no unit found after number 5");
        CommandRun grouping = rempart("--lang", "en", "forget", "--keep-last", "1", "--group-by", "host,bogus");
        assertThat(grouping.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(grouping.err()).contains("unknown grouping option: 'bogus'");
        // no policy: restic's message, and no JSON at all
        assertThat(ok("--lang", "en", "forget").out()).contains("no policy was specified, no snapshots will be removed");
        assertThat(ok("forget", "--json").out()).isEmpty();
        assertThat(snapshotFiles()).isEqualTo(before);
    }

    /** A disk image backed up by mistake is taken out of every snapshot, and prune frees its space. */
    @Test
    void rewriteTakesOutWhatWasBackedUpByMistake() throws Exception {
        Path src = tmp.resolve("src");
        Path images = Files.createDirectories(src.resolve("vm"));
        byte[] random = new byte[3 << 20];
        new java.util.Random(5).nextBytes(random);
        Files.write(images.resolve("disk.img"), random);
        ok("backup", "--host", "cabinet", src.toString());
        Files.writeString(src.resolve("agenda.txt"), "mardi 10h\n");
        ok("backup", "--host", "cabinet", src.toString());
        long before = dataBytes();
        Set<String> snapshots = snapshotFiles();

        assertThat(rempart("rewrite").err()).contains("rien à retirer");
        String dry = ok("rewrite", "--exclude", "*.img", "--dry-run").out();
        assertThat(dry).contains("fichier " + images.resolve("disk.img") + " retiré", "Simulation")
                .contains("2 instantané(s) à réécrire, 1 inchangé(s)"); // the first snapshot had no image
        assertThat(snapshotFiles()).isEqualTo(snapshots);

        JsonNode r = ok("--json", "rewrite", "-e", images.toString(), "--forget").json(); // anchored: that folder only
        assertThat(r.path("rewritten")).hasSize(2).allSatisfy(s -> {
            assertThat(s.path("changes")).singleElement().satisfies(c -> {
                assertThat(c.path("path").asText()).isEqualTo(images.toString());
                assertThat(c.path("directory").asBoolean()).isTrue();
                assertThat(c.path("action").asText()).isEqualTo("remove");
            });
            assertThat(s.path("removed").asBoolean()).isTrue();
        });
        assertThat(r.path("unchanged").asInt()).isEqualTo(1);
        Set<String> now = snapshotFiles();
        assertThat(now).hasSize(3);
        r.path("rewritten").forEach(s -> {
            assertThat(now).doesNotContain(s.path("id").asText()).contains(s.path("replacement").asText());
        });
        ok("prune");
        assertThat(dataBytes()).isLessThan(before - (3 << 20));
        assertThat(restic.run("check", "--read-data").assertOk().out()).contains("no errors were found");
        Path target = tmp.resolve("restored");
        restic.run("restore", "latest", "--host", "cabinet", "--target", target.toString()).assertOk();
        Path restored = target.resolve(src.toString().substring(1));
        assertThat(restored.resolve("agenda.txt")).hasContent("mardi 10h");
        assertThat(restored.resolve("vm")).doesNotExist();
    }

    /** tag marks a snapshot that a retention policy then keeps; restic reads the new tags. */
    @Test
    void aTaggedSnapshotIsKeptByTheRetentionPolicy() throws Exception {
        List<String> older = addSnapshots(List.of(daysAgo(3), daysAgo(2)), List.of("nightly"));
        String incident = older.get(0);
        assertThat(rempart("tag").err()).contains("rien à changer");
        assertThat(rempart("tag", "--set", "a", "--add", "b").code()).isEqualTo(ExitCodes.ERROR);

        CommandRun tagged = ok("tag", "--add", "incident,keep", incident.substring(0, 8));
        assertThat(tagged.out()).contains("1 instantané(s) modifié(s), 0 inchangé(s)");
        assertThat(snapshotFiles()).doesNotContain(incident);
        JsonNode all = ok("--json", "snapshots").json();
        JsonNode marked = null;
        for (JsonNode s : all) {
            if (s.path("tags").toString().contains("incident")) {
                marked = s;
            }
        }
        assertThat(marked).isNotNull();
        assertThat(marked.path("original").asText()).isEqualTo(incident);
        assertThat(marked.path("tags").toString()).isEqualTo("[\"nightly\",\"incident\",\"keep\"]");
        String markedId = marked.path("id").asText();

        // a second change keeps pointing at the first snapshot; --json reports it
        JsonNode r = ok("--json", "tag", "--remove", "incident", "--tag", "keep").json();
        assertThat(r.path("changed")).hasSize(1);
        assertThat(r.path("changed").get(0).path("old").asText()).isEqualTo(markedId);
        String keptId = r.path("changed").get(0).path("new").asText();
        JsonNode resticView = CommandRunJson.parse(restic.run("snapshots", "--json", "--tag", "keep").assertOk().out());
        assertThat(resticView).singleElement().satisfies(s -> {
            assertThat(s.path("id").asText()).isEqualTo(keptId);
            assertThat(s.path("original").asText()).isEqualTo(incident);
        });

        ok("forget", "--keep-last", "1", "--keep-tag", "keep");
        assertThat(snapshotFiles()).contains(keptId).hasSize(2);
        assertThat(restic.run("check").assertOk().out()).contains("no errors were found");
        // named twice, changed once
        assertThat(ok("tag", "--set", "", keptId.substring(0, 8), keptId.substring(0, 12)).out())
                .contains("1 instantané(s) modifié(s), 0 inchangé(s)");
    }

    /** A repository in restic's format 1 has no compression to repack into: refused before forgetting. */
    @Test
    void repackingUncompressedDataIsRefusedOnAVersion1Repository() throws Exception {
        Path v1 = tmp.resolve("repo-v1");
        Restic old = new Restic(v1, PASSWORD);
        old.run("init", "--repository-version", "1").assertOk();
        old.run("backup", "--host", "cabinet", tmp.resolve("src").toString()).assertOk();
        old.run("backup", "--host", "cabinet", tmp.resolve("src").toString()).assertOk();
        env.put("REMPART_REPOSITORY", v1.toString());
        CommandRun refused = rempart("forget", "--keep-last", "1", "--prune", "--repack-uncompressed");
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.err()).isEqualTo("rempart: ce dépôt est au format 1, qui ne connaît pas la compression : "
                + "--repack-uncompressed demande le format 2 (« restic migrate upgrade_repo_v2 » le convertit)\n");
        assertThat(rempart("--lang", "en", "prune", "--repack-uncompressed").err())
                .contains("format version 1, which has no compression");
        assertThat(ok("snapshots", "--json").json()).hasSize(2);
        // the same without --repack-uncompressed prunes as restic does
        ok("forget", "--keep-last", "1", "--prune");
        assertThat(ok("snapshots", "--json").json()).hasSize(1);
        assertThat(old.run("check", "--read-data").assertOk().out()).contains("no errors were found");
    }

    @Test
    void groupingTagsAndFiltersAsRestic() throws Exception {
        String backup = snapshotFiles().iterator().next();
        List<String> a = addSnapshots(List.of(daysAgo(3), daysAgo(2)), List.of("b", "a"));
        List<String> plain = addSnapshots(List.of(daysAgo(5), daysAgo(4)), List.of());
        String[] policy = {"--keep-last", "1", "--keep-tag", " a , b", "--group-by", "host,tags"};
        List<String> args = new ArrayList<>(List.of("forget", "--dry-run", "--json"));
        args.addAll(List.of(policy));
        JsonNode ours = ok(args.toArray(new String[0])).json();
        JsonNode theirs = CommandRunJson.parse(restic.run(args.toArray(new String[0])).assertOk().out());
        assertThat(ours).hasSize(2);
        for (JsonNode g : ours) {
            JsonNode t = null;
            for (JsonNode x : theirs) {
                if (x.get("tags").equals(g.get("tags")) && x.get("host").equals(g.get("host"))) {
                    t = x;
                }
            }
            assertThat(t).as("restic has group %s", g.get("tags")).isNotNull();
            assertThat(ids(g.get("keep"))).isEqualTo(ids(t.get("keep")));
            assertThat(ids(g.get("remove"))).isEqualTo(ids(t.get("remove")));
            // the same JSON, but for the fields restic 0.14 does not know (program_version, summary)
            for (JsonNode r : g.get("reasons")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) r.get("snapshot")).remove(List.of("program_version", "summary"));
            }
            assertThat(g.get("reasons")).isEqualTo(t.get("reasons"));
            assertThat(g.get("paths").isNull()).isTrue();
        }
        // the tagged group: both kept by their tags, the newest also as the last one
        assertThat(ours.get(0).get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(ids(ours.get(0).get("keep"))).containsExactly(a.get(1), a.get(0));
        assertThat(ids(ours.get(1).get("keep"))).containsExactly(backup);
        assertThat(ids(ours.get(1).get("remove"))).containsExactly(plain.get(1), plain.get(0));

        // the filter narrows what the policy sees: only the tagged ones, nothing else touched
        ok("forget", "--tag", "a", "--keep-last", "1");
        assertThat(resticSnapshots()).containsExactlyInAnyOrder(backup, a.get(1), plain.get(0), plain.get(1));
    }

    /** restic's JSON, parsed like a CommandRun's. */
    static final class CommandRunJson {
        static JsonNode parse(String s) throws IOException {
            return new CommandRun(0, s, "").json();
        }
    }
}
