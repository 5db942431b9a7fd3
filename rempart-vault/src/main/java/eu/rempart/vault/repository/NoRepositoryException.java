package eu.rempart.vault.repository;

import eu.rempart.vault.VaultException;

/** There is no repository where one was to be opened: its config file is missing. */
public final class NoRepositoryException extends VaultException {
    private final String location;

    public NoRepositoryException(String location) {
        super("no repository at " + location + " (config file missing)");
        this.location = location;
    }

    /** Where the repository was looked for (no credentials in it). */
    public String location() {
        return location;
    }
}
