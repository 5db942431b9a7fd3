package eu.rempart.vault.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.VaultException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

    @Test
    void createParseUnlockRoundTrip() throws Exception {
        MasterKey master = MasterKey.generate();
        Instant created = Instant.parse("2024-05-06T07:08:09.123456789Z");
        KeyFile kf = KeyFile.create(PASSWORD, master, KdfParams.forTests(), "alice", "host1", created);
        byte[] json = kf.toJson();

        KeyFile parsed = KeyFile.parse(json);
        assertThat(parsed.toJson()).isEqualTo(json);
        assertThat(parsed.username()).isEqualTo("alice");
        assertThat(parsed.hostname()).isEqualTo("host1");
        assertThat(parsed.created()).isEqualTo(created);
        assertThat(parsed.params()).isEqualTo(KdfParams.forTests());

        MasterKey unlocked = parsed.unlock(PASSWORD);
        assertThat(unlocked.encryptionKey()).isEqualTo(master.encryptionKey());
        assertThat(unlocked.macK()).isEqualTo(master.macK());
        assertThat(unlocked.macR()).isEqualTo(master.macR());
        assertThat(unlocked.open(master.seal(new byte[] {42}))).containsExactly(42);

        JsonNode tree = JSON.readTree(json);
        assertThat(tree.get("kdf").asText()).isEqualTo("scrypt");
        assertThat(Base64.getDecoder().decode(tree.get("salt").asText())).hasSize(64);
        // sealed {"mac":{"k":"<24>","r":"<24>"},"encrypt":"<44>"} is 32 + 16 bytes larger than that JSON
        assertThat(Base64.getDecoder().decode(tree.get("data").asText()))
            .hasSize(master.toJson().length + MasterKey.OVERHEAD);
    }

    @Test
    void fieldOrderAndNamesAreRestics() {
        KeyFile kf = KeyFile.create(PASSWORD, MasterKey.generate(), new KdfParams(2048, 4, 3), "u", "h",
            Instant.parse("2024-01-01T00:00:00Z"));
        String s = new String(kf.toJson(), StandardCharsets.UTF_8);
        assertThat(s).matches("\\{\"created\":\"[^\"]+\",\"username\":\"u\",\"hostname\":\"h\",\"kdf\":\"scrypt\","
            + "\"N\":2048,\"r\":4,\"p\":3,\"salt\":\"[A-Za-z0-9+/]{86}==\",\"data\":\"[A-Za-z0-9+/=]+\"}");
    }

    @Test
    void wrongPasswordIsReported() {
        KeyFile kf = KeyFile.create(PASSWORD, MasterKey.generate(), KdfParams.forTests(), "u", "h", Instant.now());
        assertThatThrownBy(() -> kf.unlock("Correct horse battery staple".toCharArray()))
            .isInstanceOf(WrongPasswordException.class)
            .hasMessage("wrong password or no key found");
        assertThatThrownBy(() -> kf.unlock(new char[0])).isInstanceOf(WrongPasswordException.class);
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8() {
        char[] pw = "pässwörd-ključ-🔑".toCharArray();
        KeyFile kf = KeyFile.create(pw, MasterKey.generate(), KdfParams.forTests(), "u", "h", Instant.now());
        assertThat(KeyFile.parse(kf.toJson()).unlock(pw)).isNotNull();
    }

    @Test
    void malformedKeyFilesAreRejected() throws Exception {
        KeyFile kf = KeyFile.create(PASSWORD, MasterKey.generate(), KdfParams.forTests(), "u", "h", Instant.now());
        ObjectNode good = (ObjectNode) JSON.readTree(kf.toJson());

        assertThatThrownBy(() -> KeyFile.parse("not json".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(VaultException.class);
        assertThatThrownBy(() -> KeyFile.parse("[1,2]".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(VaultException.class);
        assertRejected(good.deepCopy().put("kdf", "argon2"));
        assertRejected(good.deepCopy().put("N", 1000));
        assertRejected(good.deepCopy().put("r", 0));
        assertRejected(good.deepCopy().put("p", "five"));
        assertRejected(good.deepCopy().put("salt", Base64.getEncoder().encodeToString(new byte[16])));
        assertRejected(good.deepCopy().put("salt", "***"));
        assertRejected(good.deepCopy().put("data", Base64.getEncoder().encodeToString(new byte[10])));
        assertRejected(good.deepCopy().put("created", "yesterday"));
        ObjectNode noSalt = good.deepCopy();
        noSalt.remove("salt");
        assertRejected(noSalt);
    }

    @Test
    void tamperedDataLooksLikeAWrongPassword() throws Exception {
        KeyFile kf = KeyFile.create(PASSWORD, MasterKey.generate(), KdfParams.forTests(), "u", "h", Instant.now());
        ObjectNode node = (ObjectNode) JSON.readTree(kf.toJson());
        byte[] data = Base64.getDecoder().decode(node.get("data").asText());
        data[20] ^= 1;
        node.put("data", Base64.getEncoder().encodeToString(data));
        KeyFile tampered = KeyFile.parse(JSON.writeValueAsBytes(node));
        assertThatThrownBy(() -> tampered.unlock(PASSWORD)).isInstanceOf(WrongPasswordException.class);
    }

    @Test
    void exceptionsAndToStringRevealNoSecrets() {
        MasterKey master = MasterKey.generate();
        KeyFile kf = KeyFile.create(PASSWORD, master, KdfParams.forTests(), "u", "h", Instant.now());
        String pw = new String(PASSWORD);
        assertThat(kf.toString()).doesNotContain(pw).doesNotContain(Base64.getEncoder().encodeToString(master.macK()));
        try {
            kf.unlock("nope".toCharArray());
        } catch (WrongPasswordException e) {
            assertThat(e.getMessage()).doesNotContain("nope");
        }
    }

    @Test
    void goTimeFormatting() {
        // Go's RFC3339Nano: fraction without trailing zeros, omitted when zero; "Z" for UTC.
        Instant t = Instant.parse("2022-08-01T10:00:00.123456789Z");
        assertThat(GoJson.rfc3339Nano(t, ZoneOffset.UTC)).isEqualTo("2022-08-01T10:00:00.123456789Z");
        assertThat(GoJson.rfc3339Nano(Instant.parse("2022-08-01T10:00:00.120Z"), ZoneOffset.ofHours(2)))
            .isEqualTo("2022-08-01T12:00:00.12+02:00");
        assertThat(GoJson.rfc3339Nano(Instant.parse("2022-08-01T10:00:00Z"), ZoneId.of("America/St_Johns")))
            .isEqualTo("2022-08-01T07:30:00-02:30");
        assertThat(GoJson.rfc3339Nano(Instant.parse("0001-01-01T00:00:00Z"), ZoneOffset.UTC))
            .isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void goStringEscaping() throws Exception {
        // encoding/json (go1.19): <, >, & and control chars as lowercase \\u00xx, \n \r \t short, U+2028 escaped.
        KeyFile kf = KeyFile.create(PASSWORD, MasterKey.generate(), KdfParams.forTests(),
            "a<b>&c\"d\\e\n\t\r\b\f\u0001é\u2028", "h", Instant.now());
        String s = new String(kf.toJson(), StandardCharsets.UTF_8);
        assertThat(s).contains("\"username\":\"a\\u003cb\\u003e\\u0026c\\\"d\\\\e\\n\\t\\r\\u0008\\u000c\\u0001é\\u2028\"");
        assertThat(KeyFile.parse(kf.toJson()).username()).isEqualTo("a<b>&c\"d\\e\n\t\r\b\f\u0001é\u2028");
    }

    @Test
    void calibrationFollowsResticsRules() {
        KdfParams p = KdfParams.calibrate(Duration.ofMillis(200), 60L << 20);
        assertThat(p.n()).isGreaterThanOrEqualTo(1 << 15);
        assertThat(Integer.bitCount(p.n())).isEqualTo(1);
        assertThat(128L * p.r() * p.n()).isLessThanOrEqualTo(60L << 20);
        assertThat(p.r()).isEqualTo(8);
        assertThat(p.p()).isGreaterThanOrEqualTo(1);
    }

    private static void assertRejected(ObjectNode node) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(node);
        assertThatThrownBy(() -> KeyFile.parse(bytes)).isInstanceOf(VaultException.class);
    }

    @Test
    void paramsValidation() {
        assertThatThrownBy(() -> new KdfParams(3, 8, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KdfParams(1, 8, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KdfParams(1024, 8, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Arrays.asList(new KdfParams(16384, 8, 1).n())).containsExactly(16384);
    }
}
