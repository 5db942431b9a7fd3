package eu.rempart.vault.crypto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;

/**
 * JSON as Go's encoding/json (go1.19, which built restic 0.14) writes it, so that files Rempart
 * writes are byte-for-byte what restic would write for the same values.
 */
final class GoJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory().setCharacterEscapes(new GoEscapes());

    private GoJson() {
    }

    static JsonGenerator generator(OutputStream out) throws IOException {
        return FACTORY.createGenerator(out);
    }

    /** The field's value, or null; Go matches field names case-insensitively when decoding. */
    static JsonNode field(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        var it = object.fields();
        JsonNode found = null;
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                found = e.getValue();
            }
        }
        return found;
    }

    /** Go encodes []byte as standard padded base64; null stays null. */
    static byte[] base64(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("not a base64 string");
        }
        return Base64.getDecoder().decode(node.textValue());
    }

    /**
     * Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros of the fraction dropped,
     * "Z" for a zero offset) in the given zone, as restic writes the local time.
     */
    static String rfc3339Nano(Instant instant, ZoneId zone) {
        ZonedDateTime t = instant.atZone(zone);
        LocalDateTime l = t.toLocalDateTime();
        StringBuilder sb = new StringBuilder(35);
        pad(sb, l.getYear(), 4).append('-');
        pad(sb, l.getMonthValue(), 2).append('-');
        pad(sb, l.getDayOfMonth(), 2).append('T');
        pad(sb, l.getHour(), 2).append(':');
        pad(sb, l.getMinute(), 2).append(':');
        pad(sb, l.getSecond(), 2);
        int nanos = l.getNano();
        if (nanos != 0) {
            StringBuilder frac = new StringBuilder(9);
            pad(frac, nanos, 9);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(frac, 0, end);
        }
        ZoneOffset offset = t.getOffset();
        int seconds = offset.getTotalSeconds();
        if (seconds == 0) {
            sb.append('Z');
        } else {
            // Go's "Z07:00" layout prints hours and minutes only.
            int minutes = Math.abs(seconds) / 60;
            sb.append(seconds < 0 ? '-' : '+');
            pad(sb, minutes / 60, 2).append(':');
            pad(sb, minutes % 60, 2);
        }
        return sb.toString();
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /**
     * Go escapes control characters other than \n, \r, \t as lowercase \\u00xx, escapes
     * &lt; &gt; &amp; for HTML safety, and escapes U+2028 and U+2029.
     */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final char[] HEX = "0123456789abcdef".toCharArray();
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                ascii[c] = ESCAPE_CUSTOM;
            }
            // A positive code is Jackson's short form: backslash and that character.
            ascii['\n'] = 'n';
            ascii['\r'] = 'r';
            ascii['\t'] = 't';
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch < 0x80 || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString("\\u" + HEX[(ch >> 12) & 0xf] + HEX[(ch >> 8) & 0xf]
                    + HEX[(ch >> 4) & 0xf] + HEX[ch & 0xf]);
            }
            return null;
        }
    }
}
