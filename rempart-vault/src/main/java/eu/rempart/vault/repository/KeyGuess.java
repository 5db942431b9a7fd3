package eu.rempart.vault.repository;

import eu.rempart.vault.Id;
import eu.rempart.vault.crypto.KeyFile;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.crypto.WrongPasswordException;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The key of a remote repository, derived on a thread of its own from the key file that last
 * opened it, while the store is asked for the config and the key list: three requests one after
 * another, and through the AWS SDK also the client's start-up, that used to come before the
 * derivation (S3 on loopback: scrypt started 0.32 s into a command).
 */
final class KeyGuess {
    private final Id id;
    private final FutureTask<MasterKey> unlocking;

    private KeyGuess(Id id, FutureTask<MasterKey> unlocking) {
        this.id = id;
        this.unlocking = unlocking;
    }

    /** Starts unlocking {@code keyFile} with a copy of {@code password}; empty if it is no key file. */
    static Optional<KeyGuess> start(byte[] keyFile, char[] password) {
        KeyFile kf;
        try {
            kf = KeyFile.parse(keyFile);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        char[] copy = password.clone();
        FutureTask<MasterKey> task = new FutureTask<>(() -> {
            try {
                return kf.unlock(copy);
            } finally {
                Arrays.fill(copy, '\0');
            }
        });
        Thread t = new Thread(task, "rempart-key");
        t.setDaemon(true); // a guess the store no longer lists is not waited for
        t.start();
        return Optional.of(new KeyGuess(Id.hash(keyFile), task));
    }

    /** The key file's name in the repository. */
    Id id() {
        return id;
    }

    /**
     * Waits for the derivation.
     *
     * @throws WrongPasswordException if the password does not open this key file
     * @return the master key; empty if the key file would not open for another reason, which a
     *         second attempt then reports
     */
    Optional<MasterKey> await() {
        try {
            return Optional.of(unlocking.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WrongPasswordException w) {
                throw w;
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
