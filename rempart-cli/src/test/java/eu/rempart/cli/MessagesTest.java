package eu.rempart.cli;

import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.snapshot.SnapshotSummary.FileError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Both languages say the same things, with the same values. */
class MessagesTest {
    static Properties bundle(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = MessagesTest.class.getResourceAsStream("/eu/rempart/cli/" + name + ".properties")) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void everyMessageExistsInFrenchAndEnglishWithTheSameValues() throws IOException {
        Properties fr = bundle("messages");
        Properties en = bundle("messages_en");
        // files' problems are French only: their English is the vault's own text
        Set<String> french = new TreeSet<>(fr.stringPropertyNames());
        french.removeIf(k -> k.startsWith("file.problem."));
        assertThat(en.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(french);
        for (String k : french) {
            assertThat(arguments(fr.getProperty(k))).as(k).isEqualTo(arguments(en.getProperty(k)));
        }
    }

    @Test
    void checkSaysItsFindingsInTheReadersLanguage() {
        // the values go in as given: ids, paths and sizes are not reformatted
        Finding f = new Finding(Finding.Kind.PACK_SIZE, List.of("ab12", "1234567", "1234568"));
        assertThat(CheckCommand.say(Messages.of(null), f)).isEqualTo("paquet ab12 : taille 1234567 différente de celle de l’index (1234568 attendus)");
        assertThat(CheckCommand.say(Messages.of("en"), f)).isEqualTo(f.toString())
                .isEqualTo("pack ab12: size 1234567 does not match the index (expected 1234568)");
    }

    @Test
    void everyCommonFileProblemHasAFrenchText() throws IOException {
        Properties fr = bundle("messages");
        for (FileError.Problem p : FileError.Problem.values()) {
            assertThat(fr.getProperty("file.problem." + p.name())).as(p.name()).isNotBlank();
        }
        FileError denied = new FileError("/cabinet/agenda.db", FileError.Problem.PERMISSION_DENIED.english);
        assertThat(Messages.of(null).fileError(denied)).isEqualTo("/cabinet/agenda.db: accès refusé (droits du fichier)");
        assertThat(Messages.of("en").fileError(denied)).isEqualTo("/cabinet/agenda.db: permission denied");
        FileError other = new FileError("/cabinet/x", "Input/output error");
        assertThat(Messages.of(null).fileError(other)).isEqualTo("/cabinet/x: Input/output error");
    }

    /** How many arguments a pattern uses. */
    private static int arguments(String pattern) {
        return new MessageFormat(pattern).getFormatsByArgumentIndex().length;
    }
}
