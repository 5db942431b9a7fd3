package eu.rempart.vault.crypto;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.generators.SCrypt;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class ScryptTest {
    /** RFC 7914 section 12, the second and third vectors (the fourth takes seconds). */
    @Test
    void rfc7914Vectors() {
        assertThat(HexFormat.of().formatHex(Scrypt.derive("password".getBytes(StandardCharsets.US_ASCII),
                "NaCl".getBytes(StandardCharsets.US_ASCII), 1024, 8, 16, 64)))
                .isEqualTo("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                        + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
        assertThat(HexFormat.of().formatHex(Scrypt.derive("pleaseletmein".getBytes(StandardCharsets.US_ASCII),
                "SodiumChloride".getBytes(StandardCharsets.US_ASCII), 16384, 8, 1, 64)))
                .isEqualTo("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
                        + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
    }

    /** Bouncy Castle's sequential scrypt is the oracle for every shape of parameters. */
    @Property(tries = 60)
    void sameAsBouncyCastle(@ForAll @Size(max = 40) byte[] password, @ForAll @Size(max = 70) byte[] salt,
            @ForAll @IntRange(min = 1, max = 9) int log2n, @ForAll @IntRange(min = 1, max = 4) int r,
            @ForAll @IntRange(min = 1, max = 5) int p, @ForAll @IntRange(min = 1, max = 100) int dkLen) {
        int n = 1 << log2n;
        assertThat(Scrypt.derive(password, salt, n, r, p, dkLen))
                .isEqualTo(SCrypt.generate(password, salt, n, r, p, dkLen));
    }

    /** Lanes on several threads, and tables keeping only every stride-th block, give the same key. */
    @Property(tries = 60)
    void sameKeyWhateverTheThreadsAndStride(@ForAll @Size(max = 20) byte[] password, @ForAll @Size(max = 20) byte[] salt,
            @ForAll @IntRange(min = 1, max = 9) int log2n, @ForAll @IntRange(min = 1, max = 3) int r,
            @ForAll @IntRange(min = 1, max = 7) int p, @ForAll @IntRange(min = 1, max = 3) int threads,
            @ForAll @IntRange(min = 1, max = 5) int stride) {
        int n = 1 << log2n;
        assertThat(Scrypt.derive(password, salt, n, r, p, 64, threads, stride))
                .isEqualTo(SCrypt.generate(password, salt, n, r, p, 64));
    }

    /** restic's usual parameters, the way a key opens on this machine and the way it is calibrated. */
    @Test
    void resticSizedParametersOpenAlikeInParallelAndInSequence() {
        byte[] password = "correct horse".getBytes(StandardCharsets.US_ASCII);
        byte[] salt = "battery staple".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = SCrypt.generate(password, salt, 1 << 15, 8, 3, 64);
        assertThat(Scrypt.derive(password, salt, 1 << 15, 8, 3, 64)).isEqualTo(expected);
        assertThat(Scrypt.deriveSequential(password, salt, 1 << 15, 8, 3, 64)).isEqualTo(expected);
        assertThat(Scrypt.derive(password, salt, 1 << 15, 8, 3, 64, 2, 3)).isEqualTo(expected);
    }

    /**
     * Where JNA's native library cannot be loaded (here: neither unpacked nor found), the table
     * goes on the heap and the key is the same.
     */
    @Test
    void derivesTheSameKeyWhereNativeMemoryIsUnavailable() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Djna.nounpack=true", "-Djna.nosys=true",
                "-Djna.boot.library.path=/nonexistent", "-cp", System.getProperty("java.class.path"),
                Child.class.getName()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(child.waitFor()).isZero();
        assertThat(out).isEqualTo("heap " + HexFormat.of().formatHex(SCrypt.generate(
                Child.PASSWORD, Child.SALT, 1024, 8, 3, 64)));
    }

    static final class Child {
        static final byte[] PASSWORD = "correct horse".getBytes(StandardCharsets.US_ASCII);
        static final byte[] SALT = "battery staple".getBytes(StandardCharsets.US_ASCII);

        public static void main(String[] args) {
            try {
                new com.sun.jna.Memory(8).close();
                System.out.print("native ");
            } catch (LinkageError e) {
                System.out.print("heap ");
            }
            System.out.print(HexFormat.of().formatHex(Scrypt.derive(PASSWORD, SALT, 1024, 8, 3, 64)));
        }
    }
}
