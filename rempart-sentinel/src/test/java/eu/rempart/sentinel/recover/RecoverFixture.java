package eu.rempart.sentinel.recover;

import eu.rempart.vault.archiver.Archiver;
import eu.rempart.vault.archiver.BackupOptions;
import eu.rempart.vault.archiver.BackupResult;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.testing.TestTrees;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A practice's folder, its backup in a real repository, and what ransomware does to it. */
final class RecoverFixture {
    static final String PASSWORD = "recover test password";
    static final String HOST = "cabinet-pc";
    /** "café.txt" in Latin-1: not valid UTF-8. */
    static final byte[] LATIN1_NAME = "caf\u00e9.txt".getBytes(StandardCharsets.ISO_8859_1);
    static final String NOTE = "HOW_TO_DECRYPT.txt";

    private RecoverFixture() {
    }

    /** Documents, binaries, nested folders, a non-UTF-8 name, a symlink, a private file and an old mtime. */
    static void buildTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("docs/sub/deep"));
        Files.createDirectories(root.resolve("images"));
        Files.createDirectories(root.resolve("archive/2025"));
        Files.writeString(root.resolve("docs/letter.txt"), "Madame, suite à votre consultation du 12...\n".repeat(40));
        TestTrees.writeRandom(root.resolve("docs/report.docx"), 200_000, 1);
        TestTrees.writeRandom(root.resolve("docs/sub/deep/scan.pdf"), 3_000_000, 2);
        TestTrees.writeRandom(root.resolve("images/xray.png"), 50_000, 3);
        TestTrees.writeRandom(root.resolve("partial.bin"), 8_192, 4);
        TestTrees.writeRandom(root.resolve("rename.odt"), 30_000, 5);
        Files.writeString(root.resolve("notes.txt"), "patients du jour\n");
        Files.writeString(root.resolve("archive/2025/a.txt"), "archived a\n");
        Files.writeString(root.resolve("archive/2025/b.txt"), "archived b\n");
        Files.writeString(FileNames.resolve(root.resolve("docs"), LATIN1_NAME), "nom en latin-1\n");
        Files.createSymbolicLink(root.resolve("docs/latest"), Path.of("letter.txt"));
        Files.setPosixFilePermissions(root.resolve("docs/report.docx"), PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(root.resolve("notes.txt"), FileTime.from(Instant.parse("2024-03-01T08:30:00.123456789Z")));
    }

    static Repository initRepo(Path repoDir) throws IOException {
        return Repository.init(new LocalBackend(repoDir), PASSWORD.toCharArray(), KdfParams.forTests(), null, "test", HOST);
    }

    static Repository open(Path repoDir) throws IOException {
        Repository repo = Repository.open(new LocalBackend(repoDir), PASSWORD.toCharArray());
        repo.loadIndex();
        return repo;
    }

    static Snapshot backup(Repository repo, Path source) throws IOException {
        BackupResult r = new Archiver(repo, BackupOptions.defaults(HOST, "test"), null).backup(List.of(source), null);
        assertThat(r.summary().errors()).isEmpty();
        return r.snapshot();
    }

    /**
     * The attack: in-place encryption (mtime put back), copy-then-delete with a new extension
     * (also on the non-UTF-8 name), rename only, the first KiB overwritten, ransom notes, a folder
     * deleted. Also a legitimate file created after the snapshot.
     */
    static void attack(Path root) throws IOException {
        for (String f : List.of("docs/report.docx", "images/xray.png")) {
            Path p = root.resolve(f);
            FileTime mtime = Files.getLastModifiedTime(p);
            Files.write(p, encrypt(Files.readAllBytes(p))); // same inode, as in-place encryptors do
            Files.setLastModifiedTime(p, mtime);
        }
        Path letter = root.resolve("docs/letter.txt");
        Files.write(root.resolve("docs/letter.txt.lkd"), encrypt(Files.readAllBytes(letter)));
        Files.delete(letter);
        Path latin = FileNames.resolve(root.resolve("docs"), LATIN1_NAME);
        Files.write(FileNames.resolve(root.resolve("docs"), concat(LATIN1_NAME, ".lkd")), encrypt(Files.readAllBytes(latin)));
        Files.delete(latin);
        Files.move(root.resolve("rename.odt"), root.resolve("rename.odt.lkd"));
        try (RandomAccessFile raf = new RandomAccessFile(root.resolve("partial.bin").toFile(), "rw")) {
            byte[] junk = new byte[1024];
            new SecureRandom().nextBytes(junk);
            raf.write(junk);
        }
        for (String d : List.of("", "docs", "docs/sub")) {
            Files.writeString(root.resolve(d).resolve(NOTE), "Your files are encrypted. Pay 2 BTC.\n");
        }
        deleteTree(root.resolve("archive"));
        Files.writeString(root.resolve("new-after-snapshot.txt"), "compte rendu écrit après la sauvegarde\n");
    }

    static byte[] concat(byte[] a, String suffix) {
        byte[] s = suffix.getBytes(StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(a, a.length + s.length);
        System.arraycopy(s, 0, out, a.length, s.length);
        return out;
    }

    static byte[] encrypt(byte[] plain) {
        try {
            byte[] key = new byte[32];
            byte[] iv = new byte[16];
            SecureRandom r = new SecureRandom();
            r.nextBytes(key);
            r.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return c.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            for (byte[] n : FileSystemAccess.listNames(p)) {
                deleteTree(FileNames.resolve(p, n));
            }
        }
        Files.delete(p);
    }

    /** One entry's state; {@code withCtime} also compares ctime and inode (for "nothing was touched"). */
    record Entry(FileKind kind, int mode, Instant mtime, String content, Instant ctime, long inode) {
    }

    /** Every entry below root (root included as ""), by relative display path. */
    static Map<String, Entry> state(Path root, boolean withCtime) throws IOException {
        Map<String, Entry> out = new TreeMap<>();
        collect(root, "", out, withCtime);
        return out;
    }

    private static void collect(Path p, String rel, Map<String, Entry> out, boolean withCtime) throws IOException {
        FileStat s = FileSystemAccess.lstat(p);
        String content = switch (s.kind()) {
            case FILE -> sha(Files.readAllBytes(p));
            case SYMLINK -> new String(FileSystemAccess.readLink(p), StandardCharsets.ISO_8859_1);
            default -> "";
        };
        // A symlink's own mode is meaningless on Linux
        int mode = s.kind() == FileKind.SYMLINK ? 0 : s.mode();
        out.put(rel, new Entry(s.kind(), mode, s.mtime(), content,
                withCtime ? s.ctime() : null, withCtime ? s.inode() : 0));
        if (s.kind() == FileKind.DIRECTORY) {
            for (byte[] n : FileSystemAccess.listNames(p)) {
                String name = FileNames.display(n);
                collect(FileNames.resolve(p, n), rel.isEmpty() ? name : rel + "/" + name, out, withCtime);
            }
        }
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the clock (and the file system's coarser one) has surely moved on. */
    static void tick() throws InterruptedException {
        Thread.sleep(60);
    }
}
