package eu.rempart.vault.crypto;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.VaultException;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A restic repository key: AES-256 for encryption in CTR mode and Poly1305-AES (k, r) for
 * authentication. Sealed data is {@code IV(16) || CIPHERTEXT || MAC(16)}; the IV is also the
 * Poly1305 nonce and the MAC covers the ciphertext only (restic design, "Keys, Encryption and MAC").
 * Thread-safe and immutable.
 */
public final class MasterKey {
    /** Bytes a sealed buffer has more than its plaintext: IV and MAC. */
    public static final int OVERHEAD = 32;
    public static final int IV_SIZE = 16;
    static final int MAC_SIZE = 16;
    static final int ENCRYPTION_KEY_SIZE = 32;
    static final int MAC_KEY_PART_SIZE = 16;
    /** Bytes per Cipher call: a multiple of the AES block size, small enough to stay in L1/L2. */
    static final int CHUNK = 16 * 1024;

    /** Poly1305 clamping of r, the mask restic applies (Poly1305-AES paper, section 2). */
    private static final byte[] R_MASK = {
        (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f,
        (byte) 0xfc, (byte) 0xff, (byte) 0xff, 0x0f,
        (byte) 0xfc, (byte) 0xff, (byte) 0xff, 0x0f,
        (byte) 0xfc, (byte) 0xff, (byte) 0xff, 0x0f,
    };

    private final SecretKeySpec encryptionKey;
    /** Poly1305-AES's AES-128 key k, which encrypts the nonce into s. */
    private final SecretKeySpec macK;
    /** Poly1305-AES's r, already clamped. */
    private final byte[] macR;

    private MasterKey(byte[] encryption, byte[] k, byte[] r) {
        if (encryption.length != ENCRYPTION_KEY_SIZE || k.length != MAC_KEY_PART_SIZE || r.length != MAC_KEY_PART_SIZE) {
            throw new IllegalArgumentException("invalid key sizes");
        }
        this.encryptionKey = new SecretKeySpec(encryption, "AES");
        this.macK = new SecretKeySpec(k, "AES");
        this.macR = new byte[MAC_KEY_PART_SIZE];
        for (int i = 0; i < MAC_KEY_PART_SIZE; i++) {
            macR[i] = (byte) (r[i] & R_MASK[i]);
        }
    }

    /** Builds a key from its parts; r is clamped as restic does. The arrays are copied. */
    static MasterKey of(byte[] encryption, byte[] k, byte[] r) {
        return new MasterKey(encryption, k, r);
    }

    /** The key a password derives: scrypt's 64 bytes are encryption key, then k, then r. */
    static MasterKey fromDerived(byte[] derived) {
        if (derived.length != ENCRYPTION_KEY_SIZE + 2 * MAC_KEY_PART_SIZE) {
            throw new IllegalArgumentException("derived key must have 64 bytes");
        }
        return new MasterKey(
            Arrays.copyOfRange(derived, 0, 32),
            Arrays.copyOfRange(derived, 32, 48),
            Arrays.copyOfRange(derived, 48, 64));
    }

    public static MasterKey generate() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[64];
        random.nextBytes(bytes);
        try {
            return fromDerived(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    public byte[] seal(byte[] plaintext) {
        return seal(plaintext, 0, plaintext.length);
    }

    /** Encrypts and authenticates {@code len} bytes at {@code off} into a new {@code IV||CT||MAC} array. */
    public byte[] seal(byte[] plaintext, int off, int len) {
        Objects.checkFromIndexSize(off, len, plaintext.length);
        byte[] out = new byte[len + OVERHEAD];
        seal(plaintext, off, len, out, 0);
        return out;
    }

    /**
     * Encrypts and authenticates {@code len} bytes at {@code off} into {@code out} at {@code outOff},
     * so hot paths can reuse one buffer. The output must not overlap the plaintext, except exactly:
     * {@code out == plaintext} and {@code off == outOff + IV_SIZE} seals in place (AES-CTR allows
     * it), so a blob compressed straight after the nonce's place needs no second buffer.
     *
     * @return the sealed length, {@code len + OVERHEAD}
     */
    public int seal(byte[] plaintext, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, plaintext.length);
        Objects.checkFromIndexSize(outOff, len + OVERHEAD, out.length);
        Engines e = Engines.get();
        nextNonce(e.random, out, outOff);
        int ct = outOff + IV_SIZE;
        try {
            Cipher c = e.ctr;
            c.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(out, outOff, IV_SIZE));
            Poly1305 poly = e.poly1305Aes(macK, macR, out, outOff);
            ctr(c, e.chunk, plaintext, off, len, out, ct, poly);
            poly.doFinal(out, ct + len);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-CTR failed", ex);
        }
        return len + OVERHEAD;
    }

    /**
     * AES-CTR of {@code in[inOff, inOff+len)} to {@code out} at {@code outOff}, {@link #CHUNK}
     * bytes at a time: the MAC, if any, reads each chunk of ciphertext while it is in cache, and
     * HotSpot compiles the caller of the AES-CTR intrinsic after a few calls instead of running
     * 1 MiB interpreted. In place (same array, same offset) each chunk goes through
     * {@code scratch}: the JDK's cipher would copy the whole input first when input and output
     * are the same array.
     */
    private static void ctr(Cipher c, byte[] scratch, byte[] in, int inOff, int len, byte[] out, int outOff,
            Poly1305 mac) throws GeneralSecurityException {
        boolean inPlace = in == out && inOff == outOff;
        for (int done = 0; done < len; ) {
            int n = Math.min(CHUNK, len - done);
            byte[] dst = inPlace ? scratch : out;
            int dstOff = inPlace ? 0 : outOff + done;
            int m = c.update(in, inOff + done, n, dst, dstOff);
            if (m != n) {
                throw new IllegalStateException("AES-CTR returned " + m + " of " + n + " bytes");
            }
            if (mac != null) {
                mac.update(dst, dstOff, n);
            }
            if (inPlace) {
                System.arraycopy(scratch, 0, out, outOff + done, n);
            }
            done += n;
        }
    }

    public byte[] open(byte[] sealed) {
        return open(sealed, 0, sealed.length);
    }

    /**
     * Verifies the MAC (in constant time) and only then decrypts.
     *
     * @throws AuthenticationException if the data is too short, has a zero nonce or fails the MAC
     */
    public byte[] open(byte[] sealed, int off, int len) {
        Objects.checkFromIndexSize(off, len, sealed.length);
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too small");
        }
        byte[] out = new byte[len - OVERHEAD];
        open(sealed, off, len, out, 0);
        return out;
    }

    /**
     * Verifies and decrypts into {@code out} at {@code outOff}, so hot paths can reuse one buffer.
     * The output must not overlap the input, except exactly: {@code out == sealed} and
     * {@code outOff == off + IV_SIZE} decrypts in place (AES-CTR allows it).
     *
     * @return the plaintext length, {@code len - OVERHEAD}
     * @throws AuthenticationException if the data is too short, has a zero nonce or fails the MAC
     */
    public int open(byte[] sealed, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, sealed.length);
        if (len < OVERHEAD) {
            throw new AuthenticationException("ciphertext too small");
        }
        if (isZero(sealed, off, IV_SIZE)) {
            // restic never writes an all-zero nonce and rejects one on reading.
            throw new AuthenticationException("nonce is invalid");
        }
        int ctLen = len - OVERHEAD;
        int ctOff = off + IV_SIZE;
        Objects.checkFromIndexSize(outOff, ctLen, out.length);
        Engines e = Engines.get();
        mac(e, sealed, off, sealed, ctOff, ctLen, e.tag, 0);
        if (!constantTimeEquals(e.tag, sealed, ctOff + ctLen)) {
            throw new AuthenticationException();
        }
        try {
            Cipher c = e.ctr;
            c.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(sealed, off, IV_SIZE));
            ctr(c, e.chunk, sealed, ctOff, ctLen, out, outOff, null);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-CTR failed", ex);
        }
        return ctLen;
    }

    /**
     * Starts opening sealed data too large to hold at once, whose first 16 bytes (the nonce) are at
     * {@code nonce[off]}: the ciphertext then goes through {@link Opening#decrypt} in pieces, and
     * {@link Opening#verify} checks the MAC after the last. Unlike {@link #open}, plaintext comes
     * out <em>before</em> it is authenticated: whoever receives it must discard it unless
     * {@code verify} returns normally.
     *
     * @throws AuthenticationException if the nonce is all zero (restic rejects it)
     */
    public Opening startOpening(byte[] nonce, int off) {
        Objects.checkFromIndexSize(off, IV_SIZE, nonce.length);
        if (isZero(nonce, off, IV_SIZE)) {
            throw new AuthenticationException("nonce is invalid");
        }
        return new Opening(this, nonce, off);
    }

    /**
     * One sealed message being opened piece by piece (see {@link #startOpening}), on one thread.
     * It has its own cipher and MAC state, so other uses of the key in between do not disturb it.
     */
    public static final class Opening {
        private final Cipher ctr;
        private final Poly1305 mac = new Poly1305();
        private final byte[] scratch = new byte[CHUNK];
        private boolean done;

        private Opening(MasterKey key, byte[] nonce, int off) {
            try {
                ctr = Cipher.getInstance("AES/CTR/NoPadding");
                ctr.init(Cipher.ENCRYPT_MODE, key.encryptionKey, new IvParameterSpec(nonce, off, IV_SIZE));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CTR failed", e);
            }
            Engines.get().poly1305Aes(key.macK, key.macR, nonce, off, mac);
        }

        /**
         * Adds the next {@code len} bytes of ciphertext at {@code buf[off]} to the MAC and
         * decrypts them in place. The plaintext is not authenticated yet.
         */
        public void decrypt(byte[] buf, int off, int len) {
            Objects.checkFromIndexSize(off, len, buf.length);
            if (done) {
                throw new IllegalStateException("already verified");
            }
            try {
                // A cache-sized chunk at a time: its MAC, then its decryption, while it is in cache.
                for (int at = off, end = off + len; at < end; ) {
                    int n = Math.min(CHUNK, end - at);
                    mac.update(buf, at, n);
                    ctr(ctr, scratch, buf, at, n, buf, at, null);
                    at += n;
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CTR failed", e);
            }
        }

        /**
         * Compares (in constant time) the MAC of everything decrypted with the tag at
         * {@code tag[off, off+16)}; the opening is over either way.
         *
         * @throws AuthenticationException if they differ: everything decrypted must be discarded
         */
        public void verify(byte[] tag, int off) {
            Objects.checkFromIndexSize(off, MAC_SIZE, tag.length);
            if (done) {
                throw new IllegalStateException("already verified");
            }
            done = true;
            byte[] computed = new byte[MAC_SIZE];
            mac.doFinal(computed, 0);
            if (!constantTimeEquals(computed, tag, off)) {
                throw new AuthenticationException();
            }
        }
    }

    /** Poly1305-AES of {@code msg[msgOff, msgOff+msgLen)} under the nonce at {@code nonce[nonceOff]}. */
    void mac(Engines e, byte[] nonce, int nonceOff, byte[] msg, int msgOff, int msgLen, byte[] tagOut, int tagOff) {
        Poly1305 poly = e.poly1305Aes(macK, macR, nonce, nonceOff);
        poly.update(msg, msgOff, msgLen);
        poly.doFinal(tagOut, tagOff);
    }

    /** Writes a random nonce to {@code out[off, off+16)}; never all zero, which restic would reject. */
    private static void nextNonce(SecureRandom random, byte[] out, int off) {
        byte[] iv = new byte[IV_SIZE];
        do {
            random.nextBytes(iv);
        } while (isZero(iv, 0, IV_SIZE));
        System.arraycopy(iv, 0, out, off, IV_SIZE);
    }

    private static boolean isZero(byte[] b, int off, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) {
            acc |= b[off + i];
        }
        return acc == 0;
    }

    private static boolean constantTimeEquals(byte[] tag, byte[] b, int off) {
        int diff = 0;
        for (int i = 0; i < MAC_SIZE; i++) {
            diff |= tag[i] ^ b[off + i];
        }
        return diff == 0;
    }

    byte[] encryptionKey() {
        return encryptionKey.getEncoded();
    }

    byte[] macK() {
        return macK.getEncoded();
    }

    byte[] macR() {
        return macR.clone();
    }

    /** restic's Key.Valid: neither the encryption key nor k nor r may be all zero. */
    boolean isValid() {
        return !isZero(encryptionKey(), 0, ENCRYPTION_KEY_SIZE)
            && !isZero(macK(), 0, MAC_KEY_PART_SIZE)
            && !isZero(macR, 0, MAC_KEY_PART_SIZE);
    }

    /** The JSON restic stores encrypted in a key file: {@code {"mac":{"k":..,"r":..},"encrypt":..}}. */
    byte[] toJson() {
        Base64.Encoder b64 = Base64.getEncoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = GoJson.generator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("mac");
            g.writeStringField("k", b64.encodeToString(macK()));
            g.writeStringField("r", b64.encodeToString(macR()));
            g.writeEndObject();
            g.writeStringField("encrypt", b64.encodeToString(encryptionKey()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static MasterKey fromJson(byte[] json) {
        try {
            JsonNode root = GoJson.MAPPER.readTree(json);
            JsonNode mac = GoJson.field(root, "mac");
            byte[] k = GoJson.base64(GoJson.field(mac, "k"));
            byte[] r = GoJson.base64(GoJson.field(mac, "r"));
            byte[] enc = GoJson.base64(GoJson.field(root, "encrypt"));
            if (k == null || r == null || enc == null
                || k.length != MAC_KEY_PART_SIZE || r.length != MAC_KEY_PART_SIZE || enc.length != ENCRYPTION_KEY_SIZE) {
                throw new VaultException("malformed master key");
            }
            return new MasterKey(enc, k, r);
        } catch (IOException | IllegalArgumentException e) {
            throw new VaultException("malformed master key");
        }
    }

    @Override
    public String toString() {
        return "MasterKey[***]";
    }
}
