package eu.rempart.vault.server;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users and bcrypt password hashes from an Apache htpasswd file ({@code htpasswd -B}), reloaded when
 * the file changes. bcrypt costs tens of milliseconds by design, and a client sends its password on
 * every request, so a verified password is remembered for a minute as a salted SHA-256 digest
 * (never in clear).
 */
final class Htpasswd {
    private static final long CACHE_NANOS = 60_000_000_000L;

    private final Path file;
    private final byte[] salt = new byte[32];
    private volatile Map<String, String> users = Map.of();
    private volatile long loadedMtime = Long.MIN_VALUE;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(String hash, byte[] digest, long until) {
    }

    Htpasswd(Path file) throws IOException {
        this.file = file;
        new SecureRandom().nextBytes(salt);
        reloadIfChanged();
    }

    /** Number of users with a bcrypt hash. */
    int size() {
        return users.size();
    }

    boolean check(String user, char[] password) {
        try {
            reloadIfChanged();
        } catch (IOException e) {
            return false; // an unreadable file denies everyone rather than keeping stale users
        }
        String hash = users.get(user);
        if (hash == null) {
            return false;
        }
        byte[] digest = digest(user, password);
        Verified v = verified.get(user);
        long now = System.nanoTime();
        if (v != null && v.hash.equals(hash) && now - v.until < 0 && MessageDigest.isEqual(v.digest, digest)) {
            return true;
        }
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(hash.replaceFirst("^\\$2y\\$", "\\$2b\\$"), password);
        } catch (IllegalArgumentException e) {
            ok = false; // malformed hash line
        }
        if (ok) {
            verified.put(user, new Verified(hash, digest, now + CACHE_NANOS));
        }
        return ok;
    }

    private byte[] digest(String user, char[] password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(user.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password)));
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void reloadIfChanged() throws IOException {
        long mtime = Files.getLastModifiedTime(file).toMillis();
        if (mtime == loadedMtime) {
            return;
        }
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line = line.strip();
            int colon = line.indexOf(':');
            if (line.isEmpty() || line.startsWith("#") || colon <= 0) {
                continue;
            }
            String hash = line.substring(colon + 1);
            // Only bcrypt: the MD5, SHA-1 and crypt(3) schemes htpasswd also writes are too weak.
            if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
                m.put(line.substring(0, colon), hash);
            }
        }
        users = Map.copyOf(m);
        verified.clear();
        loadedMtime = mtime;
    }
}
