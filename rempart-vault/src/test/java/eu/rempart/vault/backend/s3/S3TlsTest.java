package eu.rempart.vault.backend.s3;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.Backends;
import eu.rempart.vault.backend.StoreException;
import eu.rempart.vault.testing.S3Server;
import eu.rempart.vault.testing.SelfSigned;
import eu.rempart.vault.tls.Pem;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An S3 store over https with its own certificate, as a practice's NAS serves one: trusted with
 * {@code --cacert} (which REST repositories already honoured, and S3 ones ignored), refused
 * without it.
 */
class S3TlsTest {
    @TempDir
    static Path dir;
    private static Path pem;
    private static S3Server server;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("s3.p12");
        pem = dir.resolve("s3.pem");
        SelfSigned.make(keystore, pem, "ip:127.0.0.1,dns:localhost");
        server = S3Server.startTlsForThisJvm(dir.resolve("store"), keystore);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void aStoreWithItsOwnCertificateIsReachedWithCacertOnly() throws Exception {
        String location = server.repoOverTls("nas", "cabinet");
        byte[] pack = new byte[200_000];
        new Random(9).nextBytes(pack);
        String name = Id.hash(pack).toHex();
        try (Backend b = Backends.open(location, Map.of(), List.of(pem))) {
            b.create();
            b.save(FileType.PACK, name, pack);
            assertThat(b.load(FileType.PACK, name)).isEqualTo(pack);
        }
        try (Backend b = Backends.open(location, Map.of("s3.retries", "0"), List.of())) {
            assertThatThrownBy(() -> b.load(FileType.PACK, name)).isInstanceOfSatisfying(StoreException.class, e -> {
                assertThat(e.problem()).isEqualTo(StoreException.Problem.TLS);
                assertThat(e.where()).isEqualTo(location + "/data/" + name.substring(0, 2) + "/" + name);
                assertThat(e.detail()).contains("certification path");
            });
        }
    }

    @Test
    void overHttpsTooEveryUploadIsSignedWithTheSha256OfItsBytes() throws Exception {
        List<SdkHttpRequest> sent = new CopyOnWriteArrayList<>();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                sent.add(context.httpRequest());
            }
        };
        byte[] pack = new byte[300_000];
        new Random(10).nextBytes(pack);
        String name = Id.hash(pack).toHex();
        try (S3Backend b = new S3Backend(server.repoOverTls("signed", "repo").substring("s3:".length()),
                S3Backend.Options.defaults(), Pem.clientTrust(List.of(pem)), List.of(recorder))) {
            b.create();
            b.save(FileType.PACK, name, pack);
            SdkHttpRequest put = sent.stream().filter(r -> r.method() == SdkHttpMethod.PUT
                    && r.encodedPath().endsWith(name)).findFirst().orElseThrow();
            // The SDK's default over https is an unsigned body, which needed a Content-MD5 (MD5 runs
            // at half SHA-256's speed here).
            assertThat(put.firstMatchingHeader("x-amz-content-sha256")).contains(name);
            assertThat(put.firstMatchingHeader("Content-MD5")).isEmpty();
            assertThat(b.load(FileType.PACK, name)).isEqualTo(pack);
        }
    }
}
