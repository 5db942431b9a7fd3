package eu.rempart.vault.restoretest;

import eu.rempart.vault.archiver.Excludes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The restorer's include pattern that selects exactly one file. The restorer matches patterns
 * against names decoded as UTF-8, so a name that is not valid UTF-8 could select other files
 * (every bad byte becomes U+FFFD), and the pattern parser strips a trailing blank: such files have
 * no pattern and are restored blob by blob instead.
 */
final class IncludePattern {
    private IncludePattern() {
    }

    /** An anchored pattern matching only the file at {@code components}, or null if there is none. */
    static String forFile(List<byte[]> components) {
        StringBuilder sb = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (byte[] c : components) {
            String name = decodeExactly(c);
            if (name == null) {
                return null;
            }
            names.add(name);
            sb.append('/');
            for (int i = 0; i < name.length(); i++) {
                char ch = name.charAt(i);
                if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
        }
        String pattern = sb.toString();
        try {
            // The parser's own verdict: whatever it alters (blanks at the end) no longer matches.
            return Excludes.of(List.of(pattern), List.of()).excluded(names) ? pattern : null;
        } catch (IOException e) {
            throw new IllegalStateException(e); // no pattern file is read
        }
    }

    private static String decodeExactly(byte[] name) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(name)).toString();
            return Arrays.equals(s.getBytes(StandardCharsets.UTF_8), name) ? s : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
