package eu.rempart.agent.notify;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** Notifications used by several tests, at times whose Paris wall clock the tests spell out. */
final class Samples {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private Samples() {
    }

    /** Started 22/11/2026 à 14:05 (Paris), failed 2 min 30 s later. */
    static RunFailed runFailed() {
        return new RunFailed("PC-ACCUEIL", "cabinet", "backup", Instant.parse("2026-11-22T13:05:00Z"),
                Instant.parse("2026-11-22T13:07:30Z"), "disque de sauvegarde E:\\ introuvable (périphérique débranché ?)");
    }

    /** Last success 20/11/2026 à 22:00, noticed 23/11/2026 à 14:05 (2 days 16 hours 5 minutes later), daily expected. */
    static BackupMissing backupMissing() {
        return new BackupMissing("PC-ACCUEIL", "cabinet", Instant.parse("2026-11-20T21:00:00Z"), Duration.ofHours(24),
                Instant.parse("2026-11-23T13:05:00Z"));
    }

    static DailySummary dailySummary() {
        return new DailySummary("PC-ACCUEIL", Instant.parse("2026-11-23T06:00:00Z"),
                List.of(new DailySummary.RepositoryStatus("cabinet", Instant.parse("2026-11-22T21:10:00Z"), 0),
                        new DailySummary.RepositoryStatus("hors-site", null, 3)),
                List.of(new DailySummary.RunLine("cabinet", "backup", Instant.parse("2026-11-22T21:00:00Z"),
                                Duration.ofSeconds(603), true, "1 204 fichiers, 312 Mio ajoutés"),
                        new DailySummary.RunLine("hors-site", "copy", Instant.parse("2026-11-22T22:00:00Z"),
                                Duration.ofSeconds(12), false, "serveur injoignable")));
    }
}
