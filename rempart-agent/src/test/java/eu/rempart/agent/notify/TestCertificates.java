package eu.rempart.agent.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Self-signed server certificates ({@link eu.rempart.vault.testing.SelfSigned}), once per test run: one valid for
 * 127.0.0.1 and localhost, one for another name only (to see host names being checked).
 */
final class TestCertificates {
    static final String STORE_PASSWORD = eu.rempart.vault.testing.SelfSigned.PASSWORD; // also GreenMail's default
    private static TestCertificates instance;

    final Path dir;
    final Path goodKeystore;
    final Path goodPem;
    final Path wrongNameKeystore;
    final Path wrongNamePem;

    private TestCertificates(Path dir) {
        this.dir = dir;
        goodKeystore = dir.resolve("good.p12");
        goodPem = dir.resolve("good.pem");
        wrongNameKeystore = dir.resolve("wrong-name.p12");
        wrongNamePem = dir.resolve("wrong-name.pem");
        // removed at exit in the reverse order of these calls: the files, then their folder
        for (Path p : new Path[] {goodKeystore, goodPem, wrongNameKeystore, wrongNamePem}) {
            p.toFile().deleteOnExit();
        }
        make(goodKeystore, goodPem, "ip:127.0.0.1,dns:localhost");
        make(wrongNameKeystore, wrongNamePem, "dns:elsewhere.invalid");
    }

    static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("rempart-notify-tls");
                dir.toFile().deleteOnExit();
                instance = new TestCertificates(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /**
     * Makes GreenMail's SMTPS serve the certificate valid for 127.0.0.1 (its own has no subject
     * alternative name, so no host name check could pass). To be called before any GreenMail starts:
     * it reads these properties once per JVM.
     */
    static void useForGreenMail() {
        TestCertificates c = get();
        System.setProperty("greenmail.tls.keystore.file", c.goodKeystore.toString());
        System.setProperty("greenmail.tls.keystore.password", STORE_PASSWORD);
        System.setProperty("greenmail.tls.key.password", STORE_PASSWORD);
    }

    static SSLContext serverContext(Path keystore) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, STORE_PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, STORE_PASSWORD.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("test keystore " + keystore + " unusable", e);
        }
    }

    private static void make(Path keystore, Path pem, String san) {
        eu.rempart.vault.testing.SelfSigned.make(keystore, pem, san);
    }
}
