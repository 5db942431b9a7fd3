package eu.rempart.agent.notify;

/** A channel: e-mail, webhook. */
public interface Notifier {
    /** @throws NotifyException with a one-line reason that never contains a password or token */
    void send(Notification n) throws NotifyException;

    /** Says where messages go, without secrets (for logs). */
    String describe();

    /** A message could not be delivered. */
    final class NotifyException extends Exception {
        public NotifyException(String message) {
            super(message);
        }
    }
}
