package eu.rempart.vault.backend.s3;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.testing.FlippingProxy;
import eu.rempart.vault.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 backend against a real S3 server (S3Proxy) on 127.0.0.1, looking at the requests it sends. */
class S3BackendTest {
    @TempDir
    static Path dir;
    private static S3Server server;

    /** Every request as it goes on the wire, signed. */
    private final List<SdkHttpRequest> sent = new CopyOnWriteArrayList<>();
    /** The threads that sent the object lock settings requests. */
    private final List<String> lockSettingsReadOn = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.startForThisJvm(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private S3Backend backend(String bucket) throws Exception {
        return backend(bucket, options());
    }

    private S3Backend backend(String bucket, S3Backend.Options options) throws Exception {
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                sent.add(context.httpRequest());
                if (context.httpRequest().rawQueryParameters().containsKey("object-lock")) {
                    lockSettingsReadOn.add(Thread.currentThread().getName());
                }
            }
        };
        S3Backend b = new S3Backend(server.repo(bucket, "repo").substring("s3:".length()), options, null, List.of(recorder));
        b.create();
        return b;
    }

    private static S3Backend.Options options() {
        return new S3Backend.Options("us-east-1", true, 5L << 20, 1, Duration.ofSeconds(30));
    }

    private SdkHttpRequest put(String keySuffix) {
        return sent.stream().filter(r -> r.method() == SdkHttpMethod.PUT && r.encodedPath().endsWith(keySuffix))
                .reduce((a, b) -> b).orElseThrow();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256Hex(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void overHttpEveryUploadIsSignedWithTheSha256OfItsBytes() throws Exception {
        // The signature covers the body's SHA-256, which the store checks: that is the upload
        // checksum, and no Content-MD5 is computed besides (only writes with a retention carry one;
        // S3TlsTest sees the same over https).
        try (S3Backend b = backend("checksums")) {
            byte[] pack = random(300_000, 1);
            String packName = Id.hash(pack).toHex();
            b.save(FileType.PACK, packName, pack);
            assertThat(put(packName).firstMatchingHeader("x-amz-content-sha256")).contains(packName);
            assertThat(put(packName).firstMatchingHeader("Content-MD5")).isEmpty();
            assertThat(put(packName).firstMatchingHeader("Content-Encoding")).isEmpty(); // not aws-chunked
            // The body follows the headers at once, without waiting a round trip for "100 Continue".
            assertThat(put(packName).firstMatchingHeader("Expect")).isEmpty();
            assertThat(b.load(FileType.PACK, packName)).isEqualTo(pack);

            byte[] snapshot = "{\"time\":\"2026-11-23T18:00:00Z\",\"tree\":\"00\"}".getBytes(StandardCharsets.UTF_8);
            String snapshotName = "ab".repeat(32);
            b.save(FileType.SNAPSHOT, snapshotName, snapshot);
            assertThat(put(snapshotName).firstMatchingHeader("x-amz-content-sha256")).contains(sha256Hex(snapshot));
            assertThat(b.load(FileType.SNAPSHOT, snapshotName)).isEqualTo(snapshot);
        }
    }

    @Test
    void onlyTheConfigIsLookedForBeforeItIsWritten() throws Exception {
        try (S3Backend b = backend("create-only")) {
            byte[] pack = random(1000, 4);
            String packName = Id.hash(pack).toHex();
            byte[] lock = "{\"pid\":1}".getBytes(StandardCharsets.UTF_8);
            String lockName = Id.hash(lock).toHex();
            b.save(FileType.SNAPSHOT, "ab".repeat(32), new byte[] {1}); // the first file with a retention reads the bucket's settings
            sent.clear();
            b.save(FileType.PACK, packName, pack);
            b.save(FileType.PACK, packName, pack); // a retried upload: the same bytes again
            b.save(FileType.LOCK, lockName, lock);
            assertThat(sent).extracting(SdkHttpRequest::method)
                    .containsExactly(SdkHttpMethod.PUT, SdkHttpMethod.PUT, SdkHttpMethod.PUT);
            assertThat(b.load(FileType.PACK, packName)).isEqualTo(pack);

            byte[] config = "sealed config".getBytes(StandardCharsets.UTF_8);
            b.save(FileType.CONFIG, "config", config);
            sent.clear();
            assertThatThrownBy(() -> b.save(FileType.CONFIG, "config", "another".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
            assertThat(sent).extracting(SdkHttpRequest::method).containsExactly(SdkHttpMethod.HEAD);
            assertThat(b.load(FileType.CONFIG, "config")).isEqualTo(config);
        }
    }

    @Test
    void theBucketsLockSettingsAreReadOnceAndTheLockFileStartsTheReading() throws Exception {
        try (S3Backend b = backend("lock-settings")) {
            byte[] lock = "{\"pid\":2}".getBytes(StandardCharsets.UTF_8);
            b.save(FileType.LOCK, Id.hash(lock).toHex(), lock);
            // Read without anything else being written (a write that came first would read them itself).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (lockSettingsReadOn.isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(lockSettingsReadOn).containsExactly("rempart-s3-lock-defaults");
            for (int i = 0; i < 2; i++) {
                byte[] pack = random(1000, 10 + i);
                b.save(FileType.PACK, Id.hash(pack).toHex(), pack);
                assertThat(b.load(FileType.PACK, Id.hash(pack).toHex())).isEqualTo(pack);
            }
            assertThat(lockSettingsReadOn).containsExactly("rempart-s3-lock-defaults");
        }
    }

    @Test
    void theStoreRefusesABodyChangedInTransit() throws Exception {
        try (S3Backend plain = backend("transit")) {
            plain.create();
        }
        try (FlippingProxy proxy = new FlippingProxy(server.port());
                S3Backend b = new S3Backend(server.repo("transit", "repo").substring("s3:".length())
                        .replace(":" + server.port() + "/", ":" + proxy.port() + "/"),
                        options(), null, List.of())) {
            byte[] pack = random(100_000, 3);
            String packName = Id.hash(pack).toHex();
            assertThatThrownBy(() -> b.save(FileType.PACK, packName, pack)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("XAmzContentSHA256Mismatch");
            assertThat(proxy.flipped()).isGreaterThanOrEqualTo(1);
            assertThat(b.exists(FileType.PACK, packName)).isFalse();
        }
    }

    @Test
    void aPackLargerThanAPartGoesUpInPartsEachSignedWithItsSha256() throws Exception {
        try (S3Backend b = backend("parts")) {
            byte[] pack = random((5 << 20) * 2 + 12345, 2);
            String packName = Id.hash(pack).toHex();
            b.save(FileType.PACK, packName, pack);
            List<SdkHttpRequest> parts = sent.stream()
                    .filter(r -> r.method() == SdkHttpMethod.PUT && r.rawQueryParameters().containsKey("partNumber")).toList();
            assertThat(parts).hasSize(3);
            for (SdkHttpRequest r : parts) {
                int n = Integer.parseInt(r.rawQueryParameters().get("partNumber").get(0));
                int from = (n - 1) * (5 << 20);
                byte[] part = java.util.Arrays.copyOfRange(pack, from, Math.min(pack.length, from + (5 << 20)));
                assertThat(r.firstMatchingHeader("x-amz-content-sha256")).contains(sha256Hex(part));
            }
            assertThat(b.load(FileType.PACK, packName)).isEqualTo(pack);
        }
    }

    @Test
    void aPackOfTheDefaultSizeGoesUpInOneRequest() throws Exception {
        // A pack is closed once it holds 16 MiB, so it may reach 24 MiB with its last blob: in
        // parts that took four requests one after another, and the store copied the parts again.
        try (S3Backend b = backend("one-request", S3Backend.Options.defaults())) {
            byte[] pack = random((16 << 20) + (7 << 20), 5);
            String packName = Id.hash(pack).toHex();
            b.save(FileType.PACK, packName, pack);
            assertThat(sent).filteredOn(r -> r.encodedPath().contains(packName))
                    .extracting(SdkHttpRequest::method).containsExactly(SdkHttpMethod.PUT);
            assertThat(put(packName).firstMatchingHeader("x-amz-content-sha256")).contains(packName);
            assertThat(b.load(FileType.PACK, packName)).isEqualTo(pack);
        }
    }
}
