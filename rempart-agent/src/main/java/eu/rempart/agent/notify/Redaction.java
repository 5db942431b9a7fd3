package eu.rempart.agent.notify;

import java.util.Collection;

/** Keeps secrets out of error messages: whatever a library put in its message, secrets come out. */
final class Redaction {
    private static final int MAX_LENGTH = 400;
    // shorter values ("1", "on") are not secrets and would mangle ports and words if replaced
    private static final int MIN_SECRET_LENGTH = 4;

    private Redaction() {
    }

    /**
     * {@code message} on one line, at most {@value #MAX_LENGTH} characters, every secret of 4 characters
     * or more replaced by "***".
     */
    static String clean(String message, Collection<String> secrets) {
        String s = message == null ? "" : message;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
                s = s.replace(secret, "***");
            }
        }
        s = s.replaceAll("\\s+", " ").strip();
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH - 1) + "…";
    }
}
