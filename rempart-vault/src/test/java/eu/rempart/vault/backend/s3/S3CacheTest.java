package eu.rempart.vault.backend.s3;

import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.restorer.RestoreOptions;
import eu.rempart.vault.restorer.Restorer;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.testing.S3Server;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups through S3 with the local cache, against a real S3 server (S3Proxy) on 127.0.0.1: the
 * requests show what the cache spares. A backup with nothing changed downloads no index, snapshot
 * or tree: only the listings, the config and the key file.
 */
class S3CacheTest {
    private static final char[] PASSWORD = "cache test password".toCharArray();

    @TempDir
    static Path dir;
    private static S3Server server;

    private final List<SdkHttpRequest> sent = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.startForThisJvm(dir.resolve("served"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private S3Backend backend() throws Exception {
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                sent.add(context.httpRequest());
            }
        };
        return new S3Backend(server.repo("cached", "repo").substring("s3:".length()),
                new S3Backend.Options("us-east-1", true, 5L << 20, 1, Duration.ofSeconds(30)), null, List.of(recorder));
    }

    /** A backup as the command line runs it: index loaded, parent snapshot found. */
    private BackupResult backup(Path cache, Path source) throws Exception {
        try (Repository repo = Repository.open(backend(), PASSWORD, cache)) {
            repo.loadIndex();
            Snapshot parent = Snapshots.list(repo).parentFor("host", List.of(source.toString()));
            return new Archiver(repo, BackupOptions.defaults("host", "test"), null).backup(List.of(source), parent);
        }
    }

    /** GET requests for files under {@code dir/} of the repository. */
    private List<String> downloads(String repoDir) {
        return sent.stream().filter(r -> r.method() == SdkHttpMethod.GET && r.encodedPath().contains("/repo/" + repoDir + "/"))
                .map(SdkHttpRequest::encodedPath).toList();
    }

    @Test
    void aBackupWithNothingChangedDownloadsNoIndexSnapshotOrTree() throws Exception {
        Path source = dir.resolve("source");
        TestTrees.build(source, 41, 300, 2, 300_000);
        try (S3Backend b = backend()) {
            Repository.init(b, PASSWORD, KdfParams.forTests(), null, "test", "host").close();
        }
        Path cache = dir.resolve("cache");
        backup(cache, source); // the first backup writes its index, snapshot and trees through the cache

        sent.clear();
        BackupResult second = backup(cache, source);
        assertThat(second.summary().filesUnmodified()).isEqualTo(second.summary().totalFilesProcessed());
        assertNothingDownloaded();

        // Without the cache, the same backup downloads them all.
        sent.clear();
        backup(null, source);
        assertThat(downloads("index")).isNotEmpty();
        assertThat(downloads("snapshots")).isNotEmpty();
        assertThat(downloads("data")).isNotEmpty();

        // A new cache fills on first use, and a restore through it is complete.
        sent.clear();
        Path fresh = dir.resolve("fresh-cache");
        Path target = dir.resolve("restored");
        try (Repository repo = Repository.open(backend(), PASSWORD, fresh)) {
            repo.loadIndex();
            Snapshot latest = Snapshots.list(repo).find("latest", s -> true);
            new Restorer(repo, RestoreOptions.defaults(), null).restore(latest, target);
        }
        assertThat(TreeCompare.diff(source, target.resolve(source.toString().substring(1)))).isEmpty();
        assertThat(downloads("index")).isNotEmpty();
        sent.clear();
        backup(fresh, source);
        assertNothingDownloaded();
    }

    private void assertNothingDownloaded() {
        assertThat(downloads("index")).isEmpty();
        assertThat(downloads("snapshots")).isEmpty();
        assertThat(downloads("data")).isEmpty();
    }
}
