package eu.rempart.agent.notify;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class RenderedTest {
    @Test
    void runFailedInFrench() {
        Rendered r = Rendered.of(Samples.runFailed(), Locale.FRENCH, Samples.PARIS);

        assertThat(r.subject()).isEqualTo("[Rempart] Échec de la sauvegarde « cabinet » sur PC-ACCUEIL");
        assertThat(r.body()).isEqualTo("""
                Bonjour,

                La sauvegarde du dépôt « cabinet » a échoué sur l’ordinateur PC-ACCUEIL.

                  Ordinateur : PC-ACCUEIL
                  Dépôt      : cabinet
                  Opération  : sauvegarde
                  Début      : 22/11/2026 à 14:05
                  Fin        : 22/11/2026 à 14:07 (durée 2 min 30 s)
                  Erreur     : disque de sauvegarde E:\\ introuvable (périphérique débranché ?)

                Les données modifiées depuis la dernière sauvegarde réussie (dossiers patients, agenda, \
                comptabilité…) ne sont pas protégées tant qu’une nouvelle sauvegarde n’a pas réussi. Les \
                sauvegardes précédentes, elles, ne sont pas touchées.

                Que faire ?
                Rempart réessaiera automatiquement à la prochaine échéance. Si l’erreur se reproduit, ou si \
                vous ne savez pas comment la corriger, contactez votre prestataire informatique en lui \
                transférant ce message. La date de la dernière sauvegarde réussie figure dans le résumé \
                quotidien de Rempart.

                --\s
                Message automatique envoyé par Rempart depuis l’ordinateur PC-ACCUEIL.
                """);
    }

    @Test
    void everyJobHasItsOwnWordingAndUnknownJobsAreShownAsGiven() {
        Instant t = Instant.parse("2026-11-22T13:05:00Z");
        for (String job : List.of("backup", "copy", "forget", "prune", "check", "restore-test")) {
            for (Locale l : List.of(Locale.FRENCH, Locale.ENGLISH)) {
                Rendered r = Rendered.of(new RunFailed("PC", "cabinet", job, t, t, "x"), l, Samples.PARIS);
                assertThat(r.subject()).doesNotContain("job.").contains("cabinet");
                assertThat(r.body()).doesNotContain("job.", "runFailed.", "label.");
            }
        }
        assertThat(Rendered.of(new RunFailed("PC", "cabinet", "check", t, t, "pack manquant"), Locale.FRENCH,
                Samples.PARIS).body()).contains("Contactez dès aujourd’hui votre prestataire informatique");
        Rendered other = Rendered.of(new RunFailed("PC", "cabinet", "sync", t, t, null), Locale.FRENCH, Samples.PARIS);
        assertThat(other.subject()).isEqualTo("[Rempart] Échec de l’opération sync sur « cabinet » sur PC");
        assertThat(other.body()).contains("Erreur     : (aucun détail fourni)");
    }

    @Test
    void multiLineErrorsStayUnderTheirLabel() {
        Instant t = Instant.parse("2026-11-22T13:05:00Z");
        Rendered r = Rendered.of(new RunFailed("PC", "cabinet", "check", t, t, "pack 1a2b absent\r\npack 3c4d absent"),
                Locale.FRENCH, Samples.PARIS);
        assertThat(r.body()).contains("  Erreur     : pack 1a2b absent\n               pack 3c4d absent\n");
    }

    @Test
    void runFailedInEnglish() {
        Rendered r = Rendered.of(Samples.runFailed(), Locale.US, Samples.PARIS);

        assertThat(r.subject()).isEqualTo("[Rempart] Backup of “cabinet” failed on PC-ACCUEIL");
        assertThat(r.body())
                .startsWith("Hello,\n\nThe backup of repository “cabinet” failed on computer PC-ACCUEIL.\n")
                .contains("  Started:    22 Nov 2026 at 14:05\n")
                .contains("  Finished:   22 Nov 2026 at 14:07 (took 2 min 30 s)\n")
                .contains("contact your IT provider");
    }

    @Test
    void backupMissingSaysSinceWhenAndTheExpectedInterval() {
        Rendered r = Rendered.of(Samples.backupMissing(), Locale.FRENCH, Samples.PARIS);

        assertThat(r.subject()).isEqualTo("[Rempart] Aucune sauvegarde récente de « cabinet » sur PC-ACCUEIL");
        assertThat(r.body())
                .contains("Aucune sauvegarde du dépôt « cabinet » n’a réussi sur l’ordinateur PC-ACCUEIL depuis le "
                        + "20/11/2026 à 22:00, soit depuis 2 jours et 16 heures. Une sauvegarde réussie est attendue "
                        + "au moins une fois par période de 24 heures.")
                .contains("  Dernière réussite : 20/11/2026 à 22:00 (il y a 2 jours et 16 heures)\n")
                .contains("  Intervalle prévu  : 24 heures\n")
                .contains("  Date du constat   : 23/11/2026 à 14:05\n");
    }

    @Test
    void backupMissingWhenNoneEverSucceeded() {
        BackupMissing never = new BackupMissing("PC-ACCUEIL", "cabinet", null, Duration.ofDays(7),
                Instant.parse("2026-11-23T13:05:00Z"));

        Rendered fr = Rendered.of(never, Locale.FRENCH, Samples.PARIS);
        assertThat(fr.subject()).isEqualTo("[Rempart] Aucune sauvegarde réussie de « cabinet » sur PC-ACCUEIL");
        assertThat(fr.body()).contains("n’a encore réussi", "période de 7 jours", "Dernière réussite : jamais");
        Rendered en = Rendered.of(never, Locale.ENGLISH, Samples.PARIS);
        assertThat(en.subject()).isEqualTo("[Rempart] No successful backup of “cabinet” on PC-ACCUEIL");
        assertThat(en.body()).contains("has succeeded yet", "at least once every 7 days", "Last success:      never");
    }

    @Test
    void dailySummaryListsRepositoriesAndRuns() {
        Rendered r = Rendered.of(Samples.dailySummary(), Locale.FRENCH, Samples.PARIS);

        assertThat(r.subject()).isEqualTo("[Rempart] Résumé quotidien de PC-ACCUEIL : 1 dépôt à vérifier");
        assertThat(r.body()).contains("""
                Dépôts :
                  - « cabinet » : dernière sauvegarde réussie le 22/11/2026 à 22:10 (il y a 8 heures et 50 minutes), \
                aucun échec en 24 heures
                  - « hors-site » : aucune sauvegarde réussie à ce jour, 3 échecs en 24 heures — À VÉRIFIER

                Opérations :
                  - 22/11/2026 à 22:00 · sauvegarde « cabinet » · OK · 10 min 03 s
                      1 204 fichiers, 312 Mio ajoutés
                  - 22/11/2026 à 23:00 · copie « hors-site » · ÉCHEC · 12 s
                      serveur injoignable
                """).contains("contactez votre prestataire informatique");
    }

    @Test
    void dailySummaryWhenAllIsWell() {
        DailySummary ok = new DailySummary("PC-ACCUEIL", Instant.parse("2026-11-23T06:00:00Z"),
                List.of(new DailySummary.RepositoryStatus("cabinet", Instant.parse("2026-11-20T06:00:00Z"), 0),
                        new DailySummary.RepositoryStatus("usb", Instant.parse("2026-11-23T05:59:30Z"), 0)),
                List.of());

        Rendered fr = Rendered.of(ok, Locale.FRENCH, Samples.PARIS);
        assertThat(fr.subject()).isEqualTo("[Rempart] Résumé quotidien de PC-ACCUEIL : tout est en ordre");
        assertThat(fr.body()).contains("(il y a 3 jours)", "(il y a moins d’une minute)", "Aucune opération enregistrée.",
                "Tout est en ordre : aucune action n’est nécessaire.").doesNotContain("À VÉRIFIER");
        Rendered en = Rendered.of(ok, Locale.ENGLISH, Samples.PARIS);
        assertThat(en.subject()).isEqualTo("[Rempart] Daily summary of PC-ACCUEIL: all is well");
        assertThat(en.body()).contains("(3 days ago)", "(less than a minute ago)");
    }

    @Test
    void frenchByDefaultEvenOnAnEnglishMachine() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.US);
            assertThat(Rendered.of(Samples.runFailed(), null, Samples.PARIS).subject()).startsWith("[Rempart] Échec");
            assertThat(Rendered.of(Samples.runFailed(), Locale.GERMAN, Samples.PARIS).subject())
                    .startsWith("[Rempart] Échec");
            assertThat(Rendered.of(Samples.runFailed(), Locale.CANADA_FRENCH, Samples.PARIS).subject())
                    .startsWith("[Rempart] Échec");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void timesAreInTheZoneGiven() {
        Rendered r = Rendered.of(Samples.runFailed(), Locale.FRENCH, ZoneId.of("America/Cayenne")); // UTC-3
        assertThat(r.body()).contains("Début      : 22/11/2026 à 10:05");
    }

    @Test
    void spansInWords() {
        Texts fr = Texts.of(Locale.FRENCH, Samples.PARIS);
        assertThat(fr.span(Duration.ofSeconds(59))).isEqualTo("moins d’une minute");
        assertThat(fr.span(Duration.ofMinutes(1))).isEqualTo("1 minute");
        assertThat(fr.span(Duration.ofMinutes(45))).isEqualTo("45 minutes");
        assertThat(fr.span(Duration.ofHours(1))).isEqualTo("1 heure");
        assertThat(fr.span(Duration.ofMinutes(90))).isEqualTo("1 heure et 30 minutes");
        assertThat(fr.span(Duration.ofHours(36))).isEqualTo("36 heures");
        assertThat(fr.span(Duration.ofHours(49))).isEqualTo("2 jours et 1 heure");
        assertThat(fr.span(Duration.ofDays(1500))).isEqualTo("1\u202f500 jours");
        assertThat(fr.span(Duration.ofMinutes(-5))).isEqualTo("moins d’une minute");
        Texts en = Texts.of(Locale.ENGLISH, Samples.PARIS);
        assertThat(en.span(Duration.ofHours(12))).isEqualTo("12 hours");
        assertThat(en.span(Duration.ofDays(7))).isEqualTo("7 days");
        assertThat(Texts.took(Duration.ofSeconds(3 * 3600 + 5 * 60 + 9))).isEqualTo("3 h 05 min");
    }

    @Test
    void sizesAndRunSummariesInEitherLanguage() {
        Texts fr = Texts.of(Locale.FRENCH, Samples.PARIS);
        Texts en = Texts.of(Locale.ENGLISH, Samples.PARIS);
        assertThat(fr.size(512)).isEqualTo("512 o");
        assertThat(fr.size(3_565_158)).isEqualTo("3,4 Mio");
        assertThat(en.size(3_565_158)).isEqualTo("3.4 MiB");
        assertThat(en.size(5L << 40)).isEqualTo("5.0 TiB");
        assertThat(fr.get("run.forget", 2, 1500)).isEqualTo("2 instantané(s) supprimé(s), 1\u202f500 gardé(s)");
        assertThat(en.get("run.backup", "ab12cd34", 3, 1, 40, en.size(2048)))
                .isEqualTo("snapshot ab12cd34: files 3 new, 1 changed, 40 unmodified; 2.0 KiB added to the repository");
        assertThat(en.get("run.copy", 1, "off-site", 0, en.size(10))).isEqualTo("1 snapshot(s) copied from “off-site” (0 already there), 10 B");
    }

    @Test
    void subjectsStayOnOneLine() {
        Instant t = Instant.parse("2026-11-22T13:05:00Z");
        Rendered r = Rendered.of(new RunFailed("PC\r\nBcc: x@evil.test", "cabinet", "backup", t, t, "e"),
                Locale.FRENCH, Samples.PARIS);
        assertThat(r.subject()).doesNotContain("\r", "\n").endsWith("sur PC Bcc: x@evil.test");
    }
}
