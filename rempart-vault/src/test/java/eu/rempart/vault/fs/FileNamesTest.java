package eu.rempart.vault.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.time.Instant;
import java.nio.file.SecureDirectoryStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNamesTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> awkwardNames() {
        byte[] long255 = new byte[255];
        Arrays.fill(long255, (byte) 'x');
        long255[0] = (byte) 0xE9; // also invalid UTF-8 at maximal length
        return List.of(
                bytes('c', 'a', 'f', 0xE9),                   // Latin-1 "café": invalid UTF-8
                bytes(0xFF, 0xFE, 'a'),                       // bytes never valid in UTF-8
                bytes(0xC3, 0xA9, 0xC3),                      // valid "é" then a truncated sequence
                utf8("caf\u00e9 \u65e5\u672c"),               // valid UTF-8
                utf8("new\nline"), utf8("back\\slash"), utf8("quo\"te's"), utf8(" lead and trail "),
                utf8("\t\u0001ctl"), utf8("..."), utf8(".hidden"),
                long255);
    }

    @Test
    void reflectionIsAvailableInTests() {
        // The rest of this class would pass vacuously in fallback mode for the valid-UTF-8 names only.
        assertThat(FileNames.rawBytesSupported()).isTrue();
    }

    @Test
    void awkwardNamesRoundTripThroughTheRealFileSystem() throws IOException {
        List<byte[]> names = awkwardNames();
        for (byte[] name : names) {
            Path p = FileNames.resolve(tmp, name);
            assertThat(FileNames.nameBytes(p)).isEqualTo(name);
            Files.write(p, name); // content = name, to tell the files apart below
        }
        // The kernel's own listing (not our Path objects) must give back exactly these bytes.
        List<byte[]> listed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path entry : ds) {
                byte[] name = FileNames.nameBytes(entry);
                listed.add(name);
                assertThat(Files.readAllBytes(entry)).isEqualTo(name);
                Path again = FileNames.resolve(tmp, name);
                assertThat(again).isEqualTo(entry);
                assertThat(Files.isSameFile(again, entry)).isTrue();
                assertThat(FileSystemAccess.lstat(again).inode()).isEqualTo(FileSystemAccess.lstat(entry).inode());
            }
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(names);
        assertThat(listed).hasSize(names.size()); // no two names collapsed into one file
    }

    @Test
    void nameOf256BytesIsRejectedByTheKernel() {
        byte[] name = new byte[256];
        Arrays.fill(name, (byte) 'y');
        assertThatThrownBy(() -> Files.createFile(FileNames.resolve(tmp, name)))
                .isInstanceOf(FileSystemException.class);
    }

    @Test
    void pathBytesAndFromBytesRoundTrip() {
        byte[] raw = bytes('/', 't', 'm', 'p', '/', 0xE9, '/', 0xFF, 'z');
        Path p = FileNames.fromBytes(raw);
        assertThat(FileNames.pathBytes(p)).isEqualTo(raw);
        assertThat(FileNames.nameBytes(p)).isEqualTo(bytes(0xFF, 'z'));
        assertThat(FileNames.nameBytes(p.getParent())).isEqualTo(bytes(0xE9));
        assertThat(p.getNameCount()).isEqualTo(3);
        assertThat(p.isAbsolute()).isTrue();
        // fromBytes normalizes like Path.of does for Strings
        assertThat(FileNames.fromBytes(utf8("//a///b/"))).isEqualTo(Path.of("/a/b"));
        assertThat(FileNames.fromBytes(utf8("a"))).isEqualTo(Path.of("a"));
        assertThat(FileNames.nameBytes(Path.of("/"))).isEqualTo(utf8("/"));
        assertThatThrownBy(() -> FileNames.fromBytes(bytes('a', 0, 'b'))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolveRejectsInvalidNames() {
        for (byte[] bad : List.of(new byte[0], utf8("."), utf8(".."), utf8("a/b"), utf8("/"), bytes('a', 0))) {
            assertThatThrownBy(() -> FileNames.resolve(tmp, bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void displayEscapesOnlyInvalidBytes() {
        assertThat(FileNames.display(bytes('c', 'a', 'f', 0xE9))).isEqualTo("caf\\xE9");
        assertThat(FileNames.display(utf8("caf\u00e9"))).isEqualTo("caf\u00e9");
        assertThat(FileNames.display(bytes(0xFF, 'a', 0xC3, 0xA9, 0xC3))).isEqualTo("\\xFFa\u00e9\\xC3");
        assertThat(FileNames.display(bytes(0xED, 0xA0, 0x80))).doesNotContain("\ud800"); // no surrogates
        assertThat(FileNames.display(new byte[0])).isEmpty();
    }

    /**
     * Paths longer than PATH_MAX (4096) cannot be handed to the kernel whole, so they are built by
     * renaming short chains into each other; SecureDirectoryStream walks them relative to
     * directory descriptors. Our Path objects must still carry the exact bytes.
     */
    @Test
    void deepPathsBeyondPathMax() throws IOException {
        byte[] segment = new byte[200];
        Arrays.fill(segment, (byte) 'd');
        segment[0] = (byte) 0xE9;
        int perChain = 15; // 15 * 201 bytes per chain stays far below PATH_MAX
        Path deepRoot = null;
        List<Path[]> moves = new ArrayList<>(); // to undo, so that @TempDir can delete short paths
        try {
            deepTree(segment, perChain, deepRoot, moves);
        } finally {
            for (int i = moves.size() - 1; i >= 0; i--) {
                Files.move(moves.get(i)[1], moves.get(i)[0]);
            }
        }
    }

    private void deepTree(byte[] segment, int perChain, Path deepRoot, List<Path[]> moves) throws IOException {
        for (int round = 0; round < 3; round++) {
            Path top = FileNames.resolve(tmp, utf8("chain" + round));
            Path leaf = top;
            Files.createDirectory(leaf);
            for (int i = 0; i < perChain; i++) {
                leaf = FileNames.resolve(leaf, segment);
                Files.createDirectory(leaf);
            }
            if (deepRoot != null) {
                Path target = FileNames.resolve(leaf, FileNames.nameBytes(deepRoot));
                Files.move(deepRoot, target);
                moves.add(new Path[] {deepRoot, target});
            } else {
                Files.write(FileNames.resolve(leaf, bytes('f', 0xFF)), utf8("deep"));
            }
            deepRoot = top;
        }
        // Walk down from chain2 with descriptor-relative opens, resolving the full path step by step.
        Path full = deepRoot;
        DirectoryStream<Path> ds = Files.newDirectoryStream(deepRoot);
        assertThat(ds).isInstanceOf(SecureDirectoryStream.class);
        SecureDirectoryStream<Path> sds = (SecureDirectoryStream<Path>) ds;
        byte[] fileName = null;
        String fileKey = null;
        while (true) {
            List<Path> entries = new ArrayList<>();
            sds.forEach(entries::add);
            assertThat(entries).hasSize(1);
            byte[] name = FileNames.nameBytes(entries.get(0));
            Path relative = FileNames.resolve(Path.of(""), name).getFileName();
            full = FileNames.resolve(full, name);
            assertThat(FileNames.nameBytes(full)).isEqualTo(name);
            if (Arrays.equals(name, bytes('f', 0xFF))) {
                fileName = name;
                fileKey = String.valueOf(sds.getFileAttributeView(relative, BasicFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes().fileKey());
                sds.close();
                break;
            }
            SecureDirectoryStream<Path> next = sds.newDirectoryStream(relative);
            sds.close();
            sds = next;
        }
        assertThat(fileName).isNotNull();
        byte[] fullBytes = FileNames.pathBytes(full);
        assertThat(fullBytes.length).isGreaterThan(3 * perChain * 201);
        assertThat(fullBytes.length).isGreaterThan(4096);
        assertThat(FileNames.fromBytes(fullBytes)).isEqualTo(full);
        // The kernel refuses the whole path (ENAMETOOLONG) ...
        Path whole = full;
        assertThatThrownBy(() -> Files.size(whole)).isInstanceOf(FileSystemException.class);
        // ... but FileSystemAccess reaches it through a short alias: the same file as the
        // descriptor-relative walk found (same inode, size 4).
        FileStat st = FileSystemAccess.lstat(full);
        assertThat(st.kind()).isEqualTo(FileKind.FILE);
        assertThat(st.size()).isEqualTo(4);
        assertThat(fileKey).contains("ino=" + st.inode() + ")");
        FileSystemAccess.writeXattrs(full, List.of(new Xattr("user.deep", utf8("yes"))));
        assertThat(FileSystemAccess.readXattrs(full)).containsExactly(new Xattr("user.deep", utf8("yes")));
        Instant mtime = Instant.ofEpochSecond(1_500_000_000L, 5);
        FileSystemAccess.restoreMetadata(full, FileKind.FILE, 0612, st.uid(), st.gid(), mtime, mtime);
        assertThat(FileSystemAccess.lstat(full).mtime()).isEqualTo(mtime);
        assertThat(FileSystemAccess.lstat(full).mode()).isEqualTo(0612);
        Path link = FileNames.resolve(full.getParent(), utf8("link"));
        FileSystemAccess.createSymlink(link, bytes('f', 0xFF));
        assertThat(FileSystemAccess.readLink(link)).isEqualTo(bytes('f', 0xFF));
        assertThat(FileSystemAccess.lstat(link).kind()).isEqualTo(FileKind.SYMLINK);
        Path fifo = FileNames.resolve(full.getParent(), utf8("fifo"));
        FileSystemAccess.createSpecial(fifo, FileKind.FIFO, 0600, 0);
        assertThat(FileSystemAccess.lstat(fifo).kind()).isEqualTo(FileKind.FIFO);
        assertThatThrownBy(() -> FileSystemAccess.lstat(FileNames.resolve(whole.getParent(), utf8("none"))))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageNotContaining("/proc/self/fd");
    }
}
