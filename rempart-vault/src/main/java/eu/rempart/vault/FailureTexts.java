package eu.rempart.vault;

import eu.rempart.vault.backend.StoreException;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.crypto.WrongPasswordException;
import eu.rempart.vault.repository.NoRepositoryException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.Optional;
import java.util.ResourceBundle;

/**
 * The failures of the vault and of its stores as a practice reads them (French, or English): what
 * happened and what to do. The command line and the agent both say them; the exceptions' own
 * messages stay English, for logs.
 */
public final class FailureTexts {
    private final ResourceBundle bundle;
    private final Locale locale;

    private FailureTexts(ResourceBundle bundle, Locale locale) {
        this.bundle = bundle;
        this.locale = locale;
    }

    /** English for an English locale, French for anything else (null included). */
    public static FailureTexts of(Locale requested) {
        Locale l = requested != null && "en".equals(requested.getLanguage()) ? Locale.ENGLISH : Locale.FRENCH;
        // No fallback to the JVM's default locale: an English JVM must still speak French by default.
        return new FailureTexts(ResourceBundle.getBundle("eu.rempart.vault.failures", l,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)), l);
    }

    /**
     * The sentence for {@code failure}, if it is one these texts know: a full disk or a store's
     * failure anywhere in its causes (threads wrap them), else the failure itself.
     */
    public Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                // the OS text is English and says nothing of what to do
                return Optional.of(text("noSpace"));
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreException s) {
                return Optional.of(text("store." + s.problem(), s.where(), s.detail()));
            }
        }
        if (failure instanceof WrongPasswordException) {
            return Optional.of(text("wrongPassword"));
        }
        if (failure instanceof Lock.LockedException le) {
            return Optional.of(text("locked", le.holder().pid(), le.holder().hostname(), le.holder().username(),
                    le.holder().time().toString()));
        }
        if (failure instanceof NoRepositoryException nr) {
            return Optional.of(text("noRepository", nr.location()));
        }
        if (failure instanceof VaultException ve && ve.problem() != null) {
            return Optional.of(problem(ve.problem(), ve.args()));
        }
        if (failure instanceof NoSuchFileException e) {
            return Optional.of(text("noSuchFile", e.getFile()));
        }
        if (failure instanceof AccessDeniedException e) {
            return Optional.of(text("accessDenied", e.getFile()));
        }
        return Optional.empty();
    }

    /** A finding of {@code check}; in English, the vault's own line ({@link Finding#toString()}). */
    public String finding(Finding f) {
        if (locale.equals(Locale.ENGLISH) || !bundle.containsKey("finding." + f.kind().name())) {
            return f.toString();
        }
        return text("finding." + f.kind().name(), f.args().toArray());
    }

    /** The sentence for a vault problem with its arguments ({@link VaultException#args()}). */
    public String problem(VaultException.Problem problem, List<String> args) {
        return text("vault." + problem, args.toArray());
    }

    private String text(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key; // a missing translation must never hide the failure being reported
        }
        return args.length == 0 ? pattern : new MessageFormat(pattern, locale).format(args);
    }
}
