package eu.rempart.vault.crypto;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.Poly1305;

import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Per-thread cipher, MAC and random source: creating them per call costs more than sealing a
 * small blob, and none of them is thread-safe.
 */
final class Engines {
    private static final ThreadLocal<Engines> CURRENT = ThreadLocal.withInitial(Engines::new);

    /** JDK AES-CTR: intrinsified with AES-NI by HotSpot, unlike Bouncy Castle's pure-Java AES. */
    final Cipher ctr;
    /** Poly1305-AES as restic uses it: the 16-byte nonce is encrypted with the AES-128 key k. */
    final Poly1305 poly1305;
    final SecureRandom random;
    /** Scratch for a computed tag during verification. */
    final byte[] tag = new byte[MasterKey.MAC_SIZE];

    private Engines() {
        try {
            ctr = Cipher.getInstance("AES/CTR/NoPadding");
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("AES/CTR/NoPadding unavailable", e);
        }
        poly1305 = new Poly1305(AESEngine.newInstance());
        random = newRandom();
    }

    static Engines get() {
        return CURRENT.get();
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
