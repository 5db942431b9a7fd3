package eu.rempart.agent.notify;

/** Something people must be told about. Every notification is about one machine. */
public sealed interface Notification permits RunFailed, BackupMissing, DailySummary {
    /** The machine the agent runs on (as people know it, e.g. PC-ACCUEIL). */
    String host();
}
