package eu.rempart.vault.crypto;

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
     * file format, not to the password. May be empty; callers refuse an empty password themselves.
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
}
