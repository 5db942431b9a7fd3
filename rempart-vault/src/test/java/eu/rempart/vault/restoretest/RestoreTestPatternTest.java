package eu.rempart.vault.restoretest;

import eu.rempart.vault.archiver.Excludes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The include pattern selects its file and nothing else, or there is none. */
class RestoreTestPatternTest {
    private static List<byte[]> path(String... names) {
        List<byte[]> l = new ArrayList<>();
        for (String n : names) {
            l.add(n.getBytes(StandardCharsets.UTF_8));
        }
        return l;
    }

    private static boolean selects(String pattern, String... names) throws Exception {
        return Excludes.of(List.of(pattern), List.of()).excluded(List.of(names));
    }

    @Test
    void globCharactersAreTakenLiterally() throws Exception {
        String p = IncludePattern.forFile(path("home", "doc", "[abc]"));
        assertThat(p).isEqualTo("/home/doc/\\[abc\\]");
        assertThat(selects(p, "home", "doc", "[abc]")).isTrue();
        assertThat(selects(p, "home", "doc", "a")).isFalse();

        String star = IncludePattern.forFile(path("x", "*"));
        assertThat(selects(star, "x", "*")).isTrue();
        assertThat(selects(star, "x", "y")).isFalse();
        String stars = IncludePattern.forFile(path("**", "f"));
        assertThat(selects(stars, "**", "f")).isTrue();
        assertThat(selects(stars, "d", "**", "f")).isFalse();
        assertThat(selects(stars, "d", "f")).isFalse();

        String mixed = IncludePattern.forFile(path("glob *?[ab]\\x"));
        assertThat(selects(mixed, "glob *?[ab]\\x")).isTrue();
        assertThat(selects(mixed, "glob ab[a]x")).isFalse();
        assertThat(selects(IncludePattern.forFile(path("new\nline", " lead")), "new\nline", " lead")).isTrue();
    }

    @Test
    void onlyAnchoredExactPaths() throws Exception {
        String p = IncludePattern.forFile(path("a", "b"));
        assertThat(selects(p, "a", "b")).isTrue();
        assertThat(selects(p, "x", "a", "b")).isFalse();
        assertThat(selects(p, "a")).isFalse();
    }

    @Test
    void namesThePatternsCannotExpressHaveNone() {
        List<byte[]> notUtf8 = new ArrayList<>(path("dir"));
        notUtf8.add(new byte[] {'b', 'a', 'd', (byte) 0xe9, (byte) 0xff});
        assertThat(IncludePattern.forFile(notUtf8)).isNull();
        assertThat(IncludePattern.forFile(path("dir", "blank at the end "))).isNull();
        assertThat(IncludePattern.forFile(path("dir", "back\\"))).isNotNull();
    }
}
