package eu.rempart.vault.crypto;

import eu.rempart.vault.VaultException;

/** No key file could be unlocked with the given password (restic's wording). */
public class WrongPasswordException extends VaultException {
    public WrongPasswordException() {
        super("wrong password or no key found");
    }

    public WrongPasswordException(String message) {
        super(message);
    }
}
