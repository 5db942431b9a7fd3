package eu.rempart.cli;

import eu.rempart.vault.fs.FileSystemAccess;
import eu.rempart.vault.fs.Xattr;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dump} of a folder gives the archive restic 0.14's gives: the same entries, metadata and bytes. */
class DumpCommandTest {
    static final String PASSWORD = "dump pässword";

    @TempDir
    Path tmp;
    Path src;
    SharedRepository repo;
    boolean acl;

    @BeforeEach
    void setUp() throws Exception {
        repo = SharedRepository.init(tmp.resolve("repo"), PASSWORD);
        src = tmp.resolve("src");

        Path sub = Files.createDirectories(src.resolve("docs/sub"));
        Files.writeString(src.resolve("docs/lettre é.txt"), "Madame, Monsieur,\n");
        FileSystemAccess.writeXattrs(src.resolve("docs/lettre é.txt"),
                List.of(new Xattr("user.comment", "note médicale".getBytes(StandardCharsets.UTF_8))));
        Files.createFile(src.resolve("docs/empty"));
        byte[] big = new byte[1_500_000];
        new Random(3).nextBytes(big);
        Files.write(src.resolve("docs/big.bin"), big);
        Files.writeString(src.resolve("docs/sub/deep.txt"), "deep\n");
        try {
            // user::rw-, user:1234:r--, group::r--, mask::r--, other::r-- (version 2, Linux's layout)
            ByteBuffer b = ByteBuffer.allocate(4 + 5 * 8).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
            int[][] entries = {{0x01, 6, -1}, {0x02, 4, 1234}, {0x04, 4, -1}, {0x10, 4, -1}, {0x20, 4, -1}};
            for (int[] e : entries) {
                b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            }
            FileSystemAccess.writeXattrs(src.resolve("docs/sub/deep.txt"),
                    List.of(new Xattr("system.posix_acl_access", b.array())));
            acl = true;
        } catch (IOException e) {
            acl = false; // a file system without ACLs: the rest is still compared
        }
        Files.createSymbolicLink(sub.resolve("link"), Path.of("../lettre é.txt"));
        Path tool = Files.writeString(src.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(tool, "unix:mode", 04755);
        Path shared = Files.createDirectories(src.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Process p = new ProcessBuilder("mkfifo", src.resolve("docs/pipe").toString()).start();
        assertThat(p.waitFor()).isZero();
        repo.ok("backup", src.toString());
    }

    private byte[] ours(String format, String path) throws IOException {
        Path out = tmp.resolve("dump-" + format + "-" + Integer.toHexString(path.hashCode()));
        repo.ok("dump", "--archive", format, "latest", path, "--target", out.toString());
        return Files.readAllBytes(out);
    }

    @Test
    void tarArchivesAreRestics() throws Exception {
        // Not docs/ itself: restic 0.14 writes a fifo at the top of the dumped folder as an empty
        // regular file (its walk filters special files only below the top); Rempart leaves it out.
        for (String path : List.of("/", src.toString(), src.resolve("docs/sub") + "/")) {
            List<String> theirs = tarEntries(repo.restic().output("dump", "latest", path));
            assertThat(tarEntries(ours("tar", path))).as(path).containsExactlyElementsOf(theirs);
            assertThat(theirs).anySatisfy(e -> assertThat(e).contains("docs/sub/link link").contains("-> ../lettre é.txt"));
            assertThat(theirs).noneSatisfy(e -> assertThat(e).contains("pipe"));
            if (!path.contains("sub")) {
                assertThat(theirs).anySatisfy(e -> assertThat(e).contains("docs/lettre é.txt file")
                        .contains("SCHILY.xattr.user.comment=note médicale"));
                assertThat(theirs).anySatisfy(e -> assertThat(e).contains("tool file").contains(" mode 4755 "));
            }
            if (acl) {
                assertThat(theirs).anySatisfy(e -> assertThat(e).contains("docs/sub/deep.txt file")
                        .contains("SCHILY.acl.access=user::rw-\nuser:1234:r--\ngroup::r--\nmask::r--\nother::r--\n"));
            }
        }
        // the folder itself has no entry; its content is named by its path in the snapshot
        assertThat(tarEntries(ours("tar", src.resolve("docs").toString())).get(0))
                .startsWith(src.resolve("docs").toString().substring(1) + "/big.bin file");
    }

    @Test
    void zipArchivesAreRestics() throws Exception {
        for (String path : List.of("/", src.toString())) {
            List<String> theirs = zipEntries(repo.restic().output("dump", "--archive", "zip", "latest", path));
            assertThat(zipEntries(ours("zip", path))).as(path).containsExactlyElementsOf(theirs);
            assertThat(theirs).anySatisfy(e -> assertThat(e).contains("shared/ mode 41777"));
        }
    }

    @Test
    void aFileIsWrittenAsItIsAndAnUnknownFormatIsRefused() throws Exception {
        byte[] file = ours("tar", src.resolve("docs/big.bin").toString());
        assertThat(file).isEqualTo(Files.readAllBytes(src.resolve("docs/big.bin")));
        CommandRun bad = CommandRun.inProcess(repo.env(), "dump", "--archive", "rar", "latest", "/");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("format d’archive inconnu « rar » : tar ou zip");
    }

    /** Each entry's name, type, size, mode, owners, whole-second mtime, link, PAX records and content digest. */
    private static List<String> tarEntries(byte[] tar) throws IOException {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String type = e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link" : e.isFile() ? "file" : "other";
                Map<String, String> pax = new TreeMap<>(e.getExtraPaxHeaders());
                pax.keySet().removeIf(k -> !k.startsWith("SCHILY."));
                out.add(e.getName() + " " + type + " size " + e.getSize() + " mode " + Integer.toOctalString(e.getMode())
                        + " " + e.getLongUserId() + ":" + e.getLongGroupId() + " " + e.getUserName() + ":"
                        + e.getGroupName() + " mtime " + e.getModTime().getTime() / 1000 + " -> " + e.getLinkName()
                        + " " + pax + " " + sha256(in));
            }
        }
        return out;
    }

    /** Each entry's name, Unix mode, size, mtime (its Unix-seconds field) and content digest. */
    private static List<String> zipEntries(byte[] zip) throws IOException {
        List<String> out = new ArrayList<>();
        try (ZipFile z = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry e : Collections.list(z.getEntriesInPhysicalOrder())) {
                try (InputStream in = z.getInputStream(e)) {
                    out.add(e.getName() + " mode " + Integer.toOctalString(e.getUnixMode()) + " size " + e.getSize()
                            + " mtime " + e.getLastModifiedTime().toMillis() / 1000 + " " + sha256(in));
                }
            }
        }
        return out;
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(in.readAllBytes());
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
