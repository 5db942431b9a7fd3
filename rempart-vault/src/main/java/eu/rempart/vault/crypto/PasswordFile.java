package eu.rempart.vault.crypto;

import eu.rempart.vault.VaultException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A password file as restic reads it ({@code --password-file}). */
public final class PasswordFile {
    private PasswordFile() {
    }

    /**
     * The file's UTF-8 text without one trailing newline (LF or CRLF): that newline belongs to the
     * file format, not to the password. May be empty ({@link #readNonEmpty} refuses that).
     */
    public static char[] read(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        if (s.endsWith("\r\n")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.toCharArray();
    }

    /**
     * {@link #read}, refusing an empty password.
     *
     * @throws VaultException {@link VaultException.Problem#EMPTY_PASSWORD_FILE}
     */
    public static char[] readNonEmpty(Path file) throws IOException {
        char[] pw = read(file);
        if (pw.length == 0) {
            throw new VaultException(VaultException.Problem.EMPTY_PASSWORD_FILE, file.toString(),
                    "password file " + file + " is empty");
        }
        return pw;
    }
}
