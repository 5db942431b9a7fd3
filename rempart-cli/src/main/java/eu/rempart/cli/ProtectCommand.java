package eu.rempart.cli;

import eu.rempart.vault.archiver.Excludes;
import eu.rempart.vault.repository.Compression;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Quick start without configuration: a repository in the user's data directory, protected by a
 * random password kept in a key file next to it; initialised on first use, then a backup.
 */
@Command(name = "protect", description = "back up a folder (default ~/Documents) with no configuration")
final class ProtectCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Parameters(arity = "0..1", paramLabel = "FOLDER", description = "folder to protect (default ~/Documents, else the current directory)")
    Path folder;

    @Override
    public Integer call() throws Exception {
        Path repoDir = cli.repo != null ? Path.of(cli.repo).toAbsolutePath().normalize() : defaultRepository(cli);
        Path keyFile = repoDir.resolveSibling(repoDir.getFileName() + ".key");
        Path target = folder != null ? folder : defaultFolder(cli);
        boolean exists = Cli.repositoryExists(repoDir);
        char[] explicit = cli.passwordOrNull();
        boolean keyCreated = false;
        char[] pw;
        if (explicit != null) {
            pw = explicit;
        } else if (Files.exists(keyFile)) {
            pw = cli.readPasswordFile(keyFile);
        } else if (exists) {
            throw new CliException(ExitCodes.ERROR, "protect.keyMissing", keyFile, repoDir);
        } else {
            // The key exists on disk before the repository does: a crash never leaves data without its key.
            createKeyFile(keyFile);
            keyCreated = true;
            pw = cli.readPasswordFile(keyFile);
        }
        try {
            Repository repo;
            if (exists) {
                repo = cli.open(repoDir, pw);
            } else {
                repo = InitCommand.init(cli, new eu.rempart.vault.backend.local.LocalBackend(repoDir), pw);
                cli.say("protect.initialised", repoDir);
            }
            int code;
            try (repo) {
                code = BackupCommand.run(cli, repo, List.of(target), Excludes.none(), List.of(), null,
                        Compression.AUTO, null, false);
            }
            if (keyCreated) {
                // Printed even with --quiet/--json (on stderr then): losing this file loses the backups.
                String warning = cli.msg().get("protect.keyWarning", keyFile);
                (cli.json || cli.quiet ? cli.err : cli.out).println(warning);
            }
            return code;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    static Path defaultRepository(Cli cli) {
        String os = System.getProperty("os.name", "");
        if (os.startsWith("Windows") && cli.env("LOCALAPPDATA") != null) {
            return Path.of(cli.env("LOCALAPPDATA"), "Rempart", "repository");
        }
        String xdg = cli.env("XDG_DATA_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "rempart", "repository");
        }
        return home(cli).resolve(".local/share/rempart/repository");
    }

    static Path home(Cli cli) {
        String h = cli.env("HOME");
        return Path.of(h != null ? h : System.getProperty("user.home"));
    }

    static Path defaultFolder(Cli cli) {
        Path docs = home(cli).resolve("Documents");
        return Files.isDirectory(docs) ? docs : Path.of("").toAbsolutePath();
    }

    /** 32 random bytes, base64url, in a file only its owner can read (directory 0700, file 0600). */
    static void createKeyFile(Path keyFile) throws IOException {
        Path dir = keyFile.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        byte[] content = (Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(raw, (byte) 0);
        Path tmp = dir.resolve(keyFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        // Written whole and synced under a temporary name, then renamed: the key file is never partial.
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        Arrays.fill(content, (byte) 0);
        try {
            Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, keyFile);
        }
        if (posix) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // make the rename durable before the repository is created
            } catch (IOException ignored) {
                // not every file system lets a directory be synced
            }
        }
    }
}
