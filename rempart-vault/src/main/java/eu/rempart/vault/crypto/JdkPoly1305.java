package eu.rempart.vault.crypto;

import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The JDK's own Poly1305 ({@code com.sun.crypto.provider.Poly1305}, the MAC behind its
 * ChaCha20-Poly1305), which {@link Poly1305} hands its work to when asked. From JDK 20 on x86-64
 * with AVX-512 IFMA (or AVX-IFMA, JDK 23), HotSpot replaces its block loop with a vector stub:
 * about 15 GB/s per core here against 1.4 GB/s for {@link Poly1305}'s own loop, which is what a
 * restore or a {@code check --read-data} spends a sixth of its CPU on. Without the stub the JDK's
 * class runs at half {@link Poly1305}'s speed, and nothing public reports whether the stub is on,
 * so this is used only when {@code -Drempart.poly1305=jdk} says so: {@code bin/rempart} asks the
 * JVM once per java binary ({@code -XX:+PrintFlagsFinal}, {@code UsePoly1305Intrinsics}).
 *
 * <p>The class is package-private in {@code java.base}, hence {@code --add-opens
 * java.base/com.sun.crypto.provider} (launcher and jar manifest). If it cannot be reached, or fails
 * RFC 8439's test vector at start-up, {@link #DEFAULT} is null and {@link Poly1305} keeps its own
 * loop: a JDK that changed the class costs speed, never a wrong tag.
 */
final class JdkPoly1305 {
    static final String PROPERTY = "rempart.poly1305";
    /** The one {@link Poly1305} uses: found when {@code rempart.poly1305=jdk}, else null. */
    static final JdkPoly1305 DEFAULT = "jdk".equals(System.getProperty(PROPERTY)) ? find() : null;

    private final MethodHandle create;
    private final MethodHandle init;
    private final MethodHandle update;
    private final MethodHandle doFinal;

    private JdkPoly1305(MethodHandle create, MethodHandle init, MethodHandle update, MethodHandle doFinal) {
        this.create = create;
        this.init = init;
        this.update = update;
        this.doFinal = doFinal;
    }

    /** The JDK's Poly1305 if this JVM lets it be reached and it computes RFC 8439's example right; else null. */
    static JdkPoly1305 find() {
        JdkPoly1305 jdk;
        try {
            Class<?> c = Class.forName("com.sun.crypto.provider.Poly1305");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            MethodType asObject = MethodType.methodType(Object.class);
            MethodHandle create;
            try {
                // JDK 21+: false skips the check for an all-zero r or s, which Poly1305-AES does not
                // make (s is an AES output) and restic does not refuse.
                create = MethodHandles.insertArguments(
                        l.findConstructor(c, MethodType.methodType(void.class, boolean.class)), 0, false);
            } catch (NoSuchMethodException older) {
                create = l.findConstructor(c, MethodType.methodType(void.class));
            }
            jdk = new JdkPoly1305(create.asType(asObject),
                    l.findVirtual(c, "engineInit", MethodType.methodType(void.class, Key.class, AlgorithmParameterSpec.class))
                            .asType(MethodType.methodType(void.class, Object.class, Key.class, AlgorithmParameterSpec.class)),
                    l.findVirtual(c, "engineUpdate", MethodType.methodType(void.class, byte[].class, int.class, int.class))
                            .asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class, int.class)),
                    l.findVirtual(c, "engineDoFinal", MethodType.methodType(byte[].class))
                            .asType(MethodType.methodType(byte[].class, Object.class)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
        return jdk.selfTest() ? jdk : null;
    }

    /** A new JDK Poly1305 object. */
    Object newMac() {
        try {
            return (Object) create.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("JDK Poly1305 unavailable", e);
        }
    }

    /**
     * Starts a tag under the 32-byte {@code rs} (r, clamped by the JDK, then s).
     *
     * @return false if the JDK refused the key (an all-zero r or s on a JDK that checks for it):
     *         the caller computes that tag itself
     */
    boolean init(Object mac, byte[] rs) {
        try {
            init.invokeExact(mac, (Key) new SecretKeySpec(rs, "Poly1305"), (AlgorithmParameterSpec) null);
            return true;
        } catch (InvalidKeyException e) {
            return false;
        } catch (Throwable e) {
            throw new IllegalStateException("JDK Poly1305 failed", e);
        }
    }

    void update(Object mac, byte[] m, int off, int len) {
        try {
            update.invokeExact(mac, m, off, len);
        } catch (Throwable e) {
            throw new IllegalStateException("JDK Poly1305 failed", e);
        }
    }

    /** Writes the tag to {@code out[off, off+16)}. */
    void doFinal(Object mac, byte[] out, int off) {
        byte[] tag;
        try {
            tag = (byte[]) doFinal.invokeExact(mac);
        } catch (Throwable e) {
            throw new IllegalStateException("JDK Poly1305 failed", e);
        }
        System.arraycopy(tag, 0, out, off, Poly1305.TAG_SIZE);
        Arrays.fill(tag, (byte) 0);
    }

    /** RFC 8439 section 2.5.2's example, fed in two uneven pieces. */
    private boolean selfTest() {
        HexFormat hex = HexFormat.of();
        byte[] key = hex.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = hex.parseHex("a8061dc1305136c6c22b8baf0c0127a9");
        try {
            Object mac = newMac();
            if (!init(mac, key)) {
                return false;
            }
            update(mac, msg, 0, 5);
            update(mac, msg, 5, msg.length - 5);
            byte[] tag = new byte[Poly1305.TAG_SIZE];
            doFinal(mac, tag, 0);
            return MessageDigest.isEqual(tag, expected);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
