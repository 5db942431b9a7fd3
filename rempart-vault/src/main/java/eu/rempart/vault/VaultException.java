package eu.rempart.vault;

/**
 * Base of the vault's checked-out failures. Messages name files and ids, never secrets.
 */
public class VaultException extends RuntimeException {
    public VaultException(String message) {
        super(message);
    }

    public VaultException(String message, Throwable cause) {
        super(message, cause);
    }
}
