package eu.rempart.agent.notify;

import java.util.ArrayList;
import java.util.List;

/**
 * Every configured channel at once: each one is tried, whatever happened to the others, so a broken
 * mail server does not keep the webhook from being told (and the other way round).
 */
public final class Notifiers implements Notifier {
    private final List<Notifier> channels;

    public Notifiers(List<? extends Notifier> channels) {
        this.channels = List.copyOf(channels);
    }

    public static Notifiers of(Notifier... channels) {
        return new Notifiers(List.of(channels));
    }

    /**
     * Sends {@code n} through every channel, in order.
     *
     * @return the failures, one per channel that did not deliver (empty when all did)
     */
    public List<NotifyException> sendAll(Notification n) {
        List<NotifyException> failures = new ArrayList<>();
        for (Notifier channel : channels) {
            try {
                channel.send(n);
            } catch (NotifyException e) {
                failures.add(e);
            } catch (RuntimeException e) {
                // a bug in one channel must not silence the others; the class says where to look
                failures.add(new NotifyException(channel.getClass().getSimpleName() + " failed unexpectedly: "
                        + e.getClass().getName(), e));
            }
        }
        return List.copyOf(failures);
    }

    /**
     * Sends {@code n} through every channel.
     *
     * @throws NotifyException if any channel failed (after all were tried): its message lists every failure,
     *                         each one is also attached as suppressed
     */
    @Override
    public void send(Notification n) throws NotifyException {
        List<NotifyException> failures = sendAll(n);
        if (failures.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(failures.size()).append(" of ").append(channels.size()).append(" notification channels failed: ");
        for (int i = 0; i < failures.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(failures.get(i).getMessage());
        }
        NotifyException e = new NotifyException(sb.toString());
        failures.forEach(e::addSuppressed);
        throw e;
    }
}
