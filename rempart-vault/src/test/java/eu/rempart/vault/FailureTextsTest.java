package eu.rempart.vault;

import eu.rempart.vault.backend.StoreException;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.crypto.WrongPasswordException;
import eu.rempart.vault.repository.NoRepositoryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The failures a practice can meet are said in both languages, with the same values. */
class FailureTextsTest {
    static Properties bundle(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = FailureTextsTest.class.getResourceAsStream("/eu/rempart/vault/" + name + ".properties")) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void everyProblemHasATextInBothLanguagesWithTheSameValues() throws IOException {
        Properties fr = bundle("failures");
        Properties en = bundle("failures_en");
        // check's findings are French only: their English is the vault's own line
        java.util.Set<String> french = new java.util.TreeSet<>(fr.stringPropertyNames());
        french.removeIf(k -> k.startsWith("finding."));
        assertThat(en.stringPropertyNames()).isEqualTo(french);
        for (VaultException.Problem p : VaultException.Problem.values()) {
            assertThat(fr.getProperty("vault." + p.name())).as(p.name()).isNotBlank();
        }
        for (StoreException.Problem p : StoreException.Problem.values()) {
            assertThat(fr.getProperty("store." + p.name())).as(p.name()).isNotBlank();
        }
        for (String k : french) {
            assertThat(arguments(fr.getProperty(k))).as(k).isEqualTo(arguments(en.getProperty(k)));
        }
        for (Finding.Kind k : Finding.Kind.values()) {
            String text = fr.getProperty("finding." + k.name());
            assertThat(text).as(k.name()).isNotBlank();
            assertThat(arguments(text)).as(k.name()).isEqualTo(arguments(k.english()));
        }
    }

    @Test
    void aFailureIsFoundWhereverItIsAndSaidInTheReadersLanguage() {
        FailureTexts fr = FailureTexts.of(null);
        FailureTexts en = FailureTexts.of(Locale.ENGLISH);
        // a store's failure wrapped by the threads that met it
        StoreException gone = new StoreException(StoreException.Problem.UNREACHABLE, "rest:http://127.0.0.1:9/r/config",
                "ConnectException: Connection refused", "reading config failed", null);
        assertThat(fr.explain(new UncheckedIOException(new IOException("upload failed", gone)))).contains(
                "rest:http://127.0.0.1:9/r/config : le serveur ne répond pas (dernière erreur : ConnectException:"
                        + " Connection refused). Vérifiez qu’il est allumé et joignable depuis ce poste, puis relancez.");
        assertThat(fr.explain(new IOException("write failed", new IOException("No space left on device"))).orElseThrow())
                .startsWith("disque plein");
        assertThat(fr.explain(new WrongPasswordException("wrong password"))).contains(
                "mot de passe incorrect : aucune clé du dépôt ne s’ouvre avec lui");
        assertThat(en.explain(new NoRepositoryException("/srv/vault"))).contains(
                "no repository at /srv/vault (create one with \"rempart init\")");
        assertThat(fr.explain(new VaultException(VaultException.Problem.SNAPSHOT_DAMAGED, "1a2b3c4d", "damaged")))
                .contains("le fichier de l’instantané 1a2b3c4d est endommagé et ne peut être lu ; les autres instantanés"
                        + " n’en dépendent pas. « rempart forget 1a2b3c4d » le retire du dépôt");
        assertThat(en.explain(new NoSuchFileException("/etc/rempart/vault.pass"))).contains(
                "file not found: /etc/rempart/vault.pass");
        // what it does not know, the caller says in its own way
        assertThat(fr.explain(new VaultException("invalid tree: node without name or type"))).isEmpty();
        assertThat(fr.explain(new IllegalStateException("bug"))).isEmpty();
    }

    private static int arguments(String pattern) {
        return new MessageFormat(pattern).getFormatsByArgumentIndex().length;
    }
}
