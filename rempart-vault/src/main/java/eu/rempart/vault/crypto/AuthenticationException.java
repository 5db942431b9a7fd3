package eu.rempart.vault.crypto;

import eu.rempart.vault.VaultException;

/** Sealed data failed its MAC check: it was altered, truncated, or sealed under another key. */
public class AuthenticationException extends VaultException {
    static final String MESSAGE = "ciphertext verification failed";

    public AuthenticationException() {
        super(MESSAGE);
    }

    public AuthenticationException(String message) {
        super(message);
    }
}
