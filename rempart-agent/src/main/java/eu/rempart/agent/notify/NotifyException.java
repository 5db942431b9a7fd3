package eu.rempart.agent.notify;

/**
 * A notification was not delivered. The message is one line naming the channel (server, URL without
 * credentials or query) and the reason; it never contains a password, token or header value.
 */
public class NotifyException extends Exception {
    public NotifyException(String message) {
        super(message);
    }

    public NotifyException(String message, Throwable cause) {
        super(message, cause);
    }
}
