package eu.rempart.vault.crypto;

import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Per-thread ciphers, MAC and random source: creating them per call costs more than sealing a
 * small blob, and none of them is thread-safe.
 */
final class Engines {
    private static final ThreadLocal<Engines> CURRENT = ThreadLocal.withInitial(Engines::new);

    /** JDK AES-CTR: intrinsified with AES-NI by HotSpot, unlike Bouncy Castle's pure-Java AES. */
    final Cipher ctr;
    /** JDK AES-128 for Poly1305-AES's s = AES_k(nonce): one block per MAC, AES-NI too. */
    private final Cipher ecb;
    /**
     * The key {@link #ecb} was last initialised with, compared by identity: a MasterKey's spec never
     * changes, and skipping the key schedule matters for small blobs. The Cipher holds the expanded
     * key anyway, so keeping this reference exposes nothing more.
     */
    private SecretKeySpec ecbKey;
    private final byte[] s = new byte[Poly1305.TAG_SIZE];
    private final Poly1305 poly1305 = new Poly1305();
    final SecureRandom random;
    /** Scratch for a computed tag during verification. */
    final byte[] tag = new byte[MasterKey.MAC_SIZE];
    /**
     * Scratch for decrypting in place: given overlapping input and output, the JDK's cipher copies
     * the input into a fresh array on every call.
     */
    final byte[] chunk = new byte[MasterKey.CHUNK];

    private Engines() {
        try {
            ctr = Cipher.getInstance("AES/CTR/NoPadding");
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES unavailable", e);
        }
        random = newRandom();
    }

    static Engines get() {
        return CURRENT.get();
    }

    /**
     * Starts Poly1305-AES as restic uses it: Poly1305 under the clamped {@code r} and
     * {@code s = AES-128_k(nonce[nonceOff, nonceOff+16))}. Returns this thread's Poly1305, ready for updates.
     */
    Poly1305 poly1305Aes(SecretKeySpec k, byte[] r, byte[] nonce, int nonceOff) {
        return poly1305Aes(k, r, nonce, nonceOff, poly1305);
    }

    /** Like {@link #poly1305Aes(SecretKeySpec, byte[], byte[], int)}, starting {@code into}. */
    Poly1305 poly1305Aes(SecretKeySpec k, byte[] r, byte[] nonce, int nonceOff, Poly1305 into) {
        try {
            if (ecbKey != k) {
                ecbKey = null;
                ecb.init(Cipher.ENCRYPT_MODE, k);
                ecbKey = k;
            }
            ecb.doFinal(nonce, nonceOff, Poly1305.BLOCK_SIZE, s, 0);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES failed", ex);
        }
        into.init(r, 0, s, 0);
        Arrays.fill(s, (byte) 0);
        return into;
    }

    private static SecureRandom newRandom() {
        try {
            // A per-thread DRBG avoids the global lock of the default NativePRNG on hot paths.
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }
}
