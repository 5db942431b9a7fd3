package eu.rempart.vault.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Self-signed server certificates for tests, made with the JDK's keytool. */
public final class SelfSigned {
    /** The keystore's and the key's password. */
    public static final String PASSWORD = "changeit";

    private SelfSigned() {
    }

    /**
     * Writes a PKCS#12 {@code keystore} (alias "server") holding a new EC key and a certificate valid
     * two days for {@code san} (keytool's syntax: "ip:127.0.0.1,dns:localhost"), and that
     * certificate alone as PEM to {@code pem}, for a client to trust.
     */
    public static void make(Path keystore, Path pem, String san) {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=rempart-test", "-ext", "san=" + san, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD);
        run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", pem.toString());
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
