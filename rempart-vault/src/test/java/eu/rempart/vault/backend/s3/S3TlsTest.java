package eu.rempart.vault.backend.s3;

import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.Backends;
import eu.rempart.vault.testing.S3Server;
import eu.rempart.vault.testing.SelfSigned;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

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
            assertThatThrownBy(() -> b.load(FileType.PACK, name))
                    .isInstanceOf(IOException.class).hasMessageContaining("certification path");
        }
    }
}
