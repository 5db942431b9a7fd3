package eu.rempart.vault.tree;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Go's string encodings that restic's trees depend on: node names go through
 * {@code strconv.Quote} (so arbitrary bytes survive JSON) and then through {@code encoding/json},
 * which escapes HTML characters. Reproducing both keeps our tree blobs byte-identical to restic's
 * for the same metadata, so the two tools deduplicate trees too.
 */
final class GoStrings {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoStrings() {
    }

    /** {@code strconv.Quote(s)} without the surrounding quotes, for raw bytes {@code s}. */
    static String quote(byte[] s) {
        StringBuilder sb = new StringBuilder(s.length + 8);
        int i = 0;
        while (i < s.length) {
            int b = s[i] & 0xff;
            if (b < 0x80) {
                appendEscaped(sb, b);
                i++;
                continue;
            }
            int[] r = decodeRune(s, i);
            if (r == null) {
                sb.append("\\x").append(HEX[b >> 4]).append(HEX[b & 15]);
                i++;
                continue;
            }
            appendEscaped(sb, r[0]);
            i += r[1];
        }
        return sb.toString();
    }

    private static void appendEscaped(StringBuilder sb, int r) {
        if (r == '"' || r == '\\') {
            sb.append('\\').append((char) r);
            return;
        }
        if (isPrint(r)) {
            sb.appendCodePoint(r);
            return;
        }
        switch (r) {
            case 7 -> sb.append("\\a");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case 11 -> sb.append("\\v");
            default -> {
                if (r < ' ' || r == 0x7f) {
                    sb.append("\\x").append(HEX[r >> 4]).append(HEX[r & 15]);
                } else if (r < 0x10000) {
                    sb.append("\\u");
                    hex(sb, r, 4);
                } else {
                    sb.append("\\U");
                    hex(sb, r, 8);
                }
            }
        }
    }

    private static void hex(StringBuilder sb, int v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            sb.append(HEX[(v >>> shift) & 15]);
        }
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
    static boolean isPrint(int r) {
        if (r == ' ') {
            return true;
        }
        return switch (Character.getType(r)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** Decodes one UTF-8 rune at {@code i}: {codepoint, width}, or null if invalid (as Go sees it). */
    static int[] decodeRune(byte[] s, int i) {
        int b0 = s[i] & 0xff;
        int n;
        int cp;
        int min;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            n = 2;
            cp = b0 & 0x1f;
            min = 0x80;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            n = 3;
            cp = b0 & 0x0f;
            min = 0x800;
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            n = 4;
            cp = b0 & 0x07;
            min = 0x10000;
        } else {
            return null;
        }
        if (i + n > s.length) {
            return null;
        }
        for (int k = 1; k < n; k++) {
            int b = s[i + k] & 0xff;
            if ((b & 0xc0) != 0x80) {
                return null;
            }
            cp = cp << 6 | (b & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return null;
        }
        return new int[] {cp, n};
    }

    /** {@code strconv.Unquote} of {@code "s"}: the raw bytes. */
    static byte[] unquote(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                throw new IllegalArgumentException("invalid quoted name: raw newline");
            }
            if (c != '\\') {
                int cp = s.codePointAt(i);
                writeUtf8(out, cp);
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= n) {
                throw new IllegalArgumentException("invalid quoted name: trailing backslash");
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\', '\'', '"' -> out.write(e);
                case 'x' -> {
                    out.write(parseHex(s, i, 2));
                    i += 2;
                }
                case 'u' -> {
                    writeUtf8(out, parseHex(s, i, 4));
                    i += 4;
                }
                case 'U' -> {
                    writeUtf8(out, parseHex(s, i, 8));
                    i += 8;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > n) {
                        throw new IllegalArgumentException("invalid octal escape");
                    }
                    int v = Integer.parseInt(s.substring(i - 1, i + 2), 8);
                    if (v > 255) {
                        throw new IllegalArgumentException("invalid octal escape");
                    }
                    out.write(v);
                    i += 2;
                }
                default -> throw new IllegalArgumentException("invalid escape \\" + e);
            }
        }
        return out.toByteArray();
    }

    private static int parseHex(String s, int i, int digits) {
        if (i + digits > s.length()) {
            throw new IllegalArgumentException("truncated escape");
        }
        return Integer.parseUnsignedInt(s.substring(i, i + digits), 16);
    }

    private static void writeUtf8(ByteArrayOutputStream out, int cp) {
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            cp = 0xfffd;
        }
        if (cp < 0x80) {
            out.write(cp);
        } else if (cp < 0x800) {
            out.write(0xc0 | cp >> 6);
            out.write(0x80 | cp & 0x3f);
        } else if (cp < 0x10000) {
            out.write(0xe0 | cp >> 12);
            out.write(0x80 | (cp >> 6) & 0x3f);
            out.write(0x80 | cp & 0x3f);
        } else {
            out.write(0xf0 | cp >> 18);
            out.write(0x80 | (cp >> 12) & 0x3f);
            out.write(0x80 | (cp >> 6) & 0x3f);
            out.write(0x80 | cp & 0x3f);
        }
    }

    /** Appends {@code s} as a JSON string the way Go's encoding/json does (HTML-safe escaping). */
    static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&' -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                case '\u2028', '\u2029' -> sb.append("\\u202").append(HEX[c & 15]);
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
                    } else if (Character.isSurrogate(c)) {
                        // Go writes U+FFFD for invalid UTF-8; a lone surrogate is the Java equivalent.
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append('\ufffd');
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Bytes as Go would turn them into a string field: invalid UTF-8 becomes U+FFFD. */
    static String lossyUtf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static boolean isValidUtf8(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer unused = d.decode(ByteBuffer.wrap(b));
            return unused != null;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
