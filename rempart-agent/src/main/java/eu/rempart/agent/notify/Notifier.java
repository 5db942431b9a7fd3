package eu.rempart.agent.notify;

/** One way of telling people: an e-mail account, a webhook. Implementations are thread-safe. */
public interface Notifier {
    /**
     * Delivers {@code n}, or throws.
     *
     * @throws NotifyException if it was not delivered; the message names the channel and the reason
     */
    void send(Notification n) throws NotifyException;
}
