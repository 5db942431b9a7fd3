package eu.rempart.vault.crypto;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.VaultException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A restic key file ({@code keys/<id>}): scrypt parameters and salt, and the master key sealed
 * with the key the password derives. Immutable.
 */
public final class KeyFile {
    static final int SALT_SIZE = 64;
    private static final String KDF = "scrypt";
    /** Go's zero time.Time, what restic reads for a missing "created". */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private final Instant created;
    private final String username;
    private final String hostname;
    private final KdfParams params;
    private final byte[] salt;
    private final byte[] data;
    /** The exact bytes stored (or to store): their SHA-256 is the file's name. */
    private final byte[] json;

    private KeyFile(Instant created, String username, String hostname, KdfParams params,
                    byte[] salt, byte[] data, byte[] json) {
        this.created = created;
        this.username = username;
        this.hostname = hostname;
        this.params = params;
        this.salt = salt;
        this.data = data;
        this.json = json;
    }

    /** Seals {@code key} under {@code password} with a fresh random salt, as {@code restic init/key add} does. */
    public static KeyFile create(char[] password, MasterKey key, KdfParams params, String username,
                                 String hostname, Instant created) {
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(created, "created");
        byte[] salt = new byte[SALT_SIZE];
        new SecureRandom().nextBytes(salt);
        MasterKey user = userKey(password, salt, params);
        byte[] plain = key.toJson();
        byte[] data;
        try {
            data = user.seal(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        byte[] json = write(created, username, hostname, params, salt, data);
        return new KeyFile(created, username, hostname, params, salt, data, json);
    }

    /**
     * Starts compiling the key derivation on a daemon thread, with derivations too small to cost
     * anything (N = 1024, two lanes). A command that will open a repository calls this as it
     * starts: its main thread parses options and reads the config and key files on one core while
     * the other compiles, and the real derivation then runs compiled from its first block. In a
     * cold JVM the derivation of restic's default parameters (N = 2^15, r = 8, p = 6) on two cores
     * took 0.36-0.46 s against 0.26-0.32 s once compiled; a local no-change backup, where the
     * compilers are busy with the rest as well, gained 0.03 s (1.08 → 1.05 s, 18 alternated pairs).
     */
    public static void warmUp() {
        Thread t = new Thread(() -> {
            byte[] salt = new byte[64];
            for (int i = 0; i < 8; i++) {
                Scrypt.derive(new byte[1], salt, 1024, 8, 2, 64);
            }
        }, "rempart-kdf-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** Reads a key file as restic does; field names match case-insensitively like Go's decoder. */
    public static KeyFile parse(byte[] json) {
        JsonNode root;
        try {
            root = GoJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new VaultException("malformed key file: invalid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new VaultException("malformed key file: not a JSON object");
        }
        try {
            String kdf = text(root, "kdf");
            if (!KDF.equals(kdf)) {
                throw new VaultException("only supported KDF is scrypt()");
            }
            KdfParams params = new KdfParams(integer(root, "N"), integer(root, "r"), integer(root, "p"));
            byte[] salt = GoJson.base64(GoJson.field(root, "salt"));
            if (salt == null || salt.length != SALT_SIZE) {
                throw new VaultException("malformed key file: salt must have " + SALT_SIZE + " bytes");
            }
            byte[] data = GoJson.base64(GoJson.field(root, "data"));
            if (data == null || data.length < MasterKey.OVERHEAD) {
                throw new VaultException("malformed key file: data too short");
            }
            String createdText = text(root, "created");
            Instant created = createdText == null ? GO_ZERO_TIME
                : OffsetDateTime.parse(createdText, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            String username = Objects.requireNonNullElse(text(root, "username"), "");
            String hostname = Objects.requireNonNullElse(text(root, "hostname"), "");
            return new KeyFile(created, username, hostname, params, salt, data, json.clone());
        } catch (DateTimeParseException e) {
            throw new VaultException("malformed key file: invalid created time");
        } catch (IllegalArgumentException e) {
            // KdfParams and base64 failures: their messages carry no secret.
            throw new VaultException("malformed key file: " + e.getMessage());
        }
    }

    /** The stored bytes; a key file is saved at {@code keys/<sha256 hex of these bytes>}. */
    public byte[] toJson() {
        return json.clone();
    }

    /**
     * Derives the user key from {@code password} and opens the master key.
     *
     * @throws WrongPasswordException if the password does not authenticate the sealed master key
     */
    public MasterKey unlock(char[] password) {
        MasterKey user = userKey(password, salt, params);
        byte[] plain;
        try {
            plain = user.open(data);
        } catch (AuthenticationException e) {
            throw new WrongPasswordException();
        }
        try {
            MasterKey master = MasterKey.fromJson(plain);
            if (!master.isValid()) {
                throw new VaultException("invalid key for repository");
            }
            return master;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public KdfParams params() {
        return params;
    }

    public String username() {
        return username;
    }

    public String hostname() {
        return hostname;
    }

    public Instant created() {
        return created;
    }

    @Override
    public String toString() {
        return "KeyFile[" + username + "@" + hostname + ", created " + created + ", " + params + "]";
    }

    private static MasterKey userKey(char[] password, byte[] salt, KdfParams params) {
        byte[] pw = utf8(password);
        byte[] derived = null;
        try {
            derived = KdfParams.derive(pw, salt, params);
            return MasterKey.fromDerived(derived);
        } finally {
            Arrays.fill(pw, (byte) 0);
            if (derived != null) {
                Arrays.fill(derived, (byte) 0);
            }
        }
    }

    /** restic hashes the password's UTF-8 bytes (a Go string). */
    private static byte[] utf8(char[] password) {
        ByteBuffer buf;
        try {
            buf = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(password));
        } catch (CharacterCodingException e) {
            throw new VaultException("the password is not valid Unicode");
        }
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        if (buf.hasArray()) {
            Arrays.fill(buf.array(), (byte) 0);
        }
        return out;
    }

    /** Go's json.Marshal of restic's Key struct: this field order, no spaces. */
    private static byte[] write(Instant created, String username, String hostname, KdfParams params,
                                byte[] salt, byte[] data) {
        Base64.Encoder b64 = Base64.getEncoder();
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = GoJson.generator(out)) {
            g.writeStartObject();
            g.writeStringField("created", GoJson.rfc3339Nano(created, ZoneId.systemDefault()));
            g.writeStringField("username", username);
            g.writeStringField("hostname", hostname);
            g.writeStringField("kdf", KDF);
            g.writeNumberField("N", params.n());
            g.writeNumberField("r", params.r());
            g.writeNumberField("p", params.p());
            g.writeStringField("salt", b64.encodeToString(salt));
            g.writeStringField("data", b64.encodeToString(data));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static String text(JsonNode root, String name) {
        JsonNode n = GoJson.field(root, name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new VaultException("malformed key file: " + name + " is not a string");
        }
        return n.textValue();
    }

    private static int integer(JsonNode root, String name) {
        JsonNode n = GoJson.field(root, name);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new VaultException("malformed key file: " + name + " is not an integer");
        }
        return n.intValue();
    }
}
