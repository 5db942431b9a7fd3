package eu.rempart.agent.notify;

import java.util.ArrayList;
import java.util.List;

/** Every configured channel: one that fails does not stop the others. */
public final class Notifiers {
    private final List<Notifier> channels;

    public Notifiers(List<Notifier> channels) {
        this.channels = List.copyOf(channels);
    }

    /** Sends to all channels; returns the failures (empty if every channel delivered). */
    public List<String> send(Notification n) {
        List<String> failures = new ArrayList<>();
        for (Notifier c : channels) {
            try {
                c.send(n);
            } catch (Notifier.NotifyException e) {
                failures.add(e.getMessage());
            } catch (RuntimeException e) {
                failures.add(c.describe() + ": " + e);
            }
        }
        return failures;
    }

    public boolean isEmpty() {
        return channels.isEmpty();
    }
}
