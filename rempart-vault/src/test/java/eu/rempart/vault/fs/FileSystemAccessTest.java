package eu.rempart.vault.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks against independent implementations of the same system calls: coreutils stat/readlink
 * and Python's os module (the JDK's own view where it has one).
 */
class FileSystemAccessTest {
    @TempDir
    Path tmp;

    private static boolean root() {
        return LibC.geteuid() == 0;
    }

    /** Runs a command in tmp and returns its raw stdout; fails on a non-zero exit. */
    private byte[] run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    private String stat(String format, String name) throws IOException, InterruptedException {
        return new String(run("stat", "-c", format, "--", name), StandardCharsets.UTF_8).strip();
    }

    private static Instant instant(String secondsDotNanos) {
        BigDecimal d = new BigDecimal(secondsDotNanos);
        long sec = d.longValue();
        return Instant.ofEpochSecond(sec, d.subtract(BigDecimal.valueOf(sec)).movePointRight(9).longValueExact());
    }

    /** Everything lstat reports, compared field by field with coreutils stat (which never follows links). */
    private FileStat assertMatchesCoreutils(String name) throws Exception {
        FileStat s = FileSystemAccess.lstat(tmp.resolve(name));
        String[] f = stat("%f %s %u %g %i %d %t %T %h %.9X %.9Y %.9Z", name).split(" ");
        int rawMode = Integer.parseInt(f[0], 16);
        assertThat(s.kind()).isEqualTo(FileKind.fromMode(rawMode));
        assertThat(s.mode()).isEqualTo(rawMode & 07777);
        assertThat(s.size()).isEqualTo(Long.parseLong(f[1]));
        assertThat(s.uid()).isEqualTo(Integer.parseInt(f[2]));
        assertThat(s.gid()).isEqualTo(Integer.parseInt(f[3]));
        assertThat(s.inode()).isEqualTo(Long.parseLong(f[4]));
        assertThat(s.device()).isEqualTo(Long.parseLong(f[5]));
        assertThat(major(s.rdev())).isEqualTo(Long.parseLong(f[6], 16));
        assertThat(minor(s.rdev())).isEqualTo(Long.parseLong(f[7], 16));
        assertThat(s.links()).isEqualTo(Long.parseLong(f[8]));
        assertThat(s.atime()).isEqualTo(instant(f[9]));
        assertThat(s.mtime()).isEqualTo(instant(f[10]));
        assertThat(s.ctime()).isEqualTo(instant(f[11]));
        // The portable attribute-map route must agree with the fast route.
        assertThat(FileSystemAccess.lstatViaMap(tmp.resolve(name))).isEqualTo(s);
        return s;
    }

    // glibc's encoding of dev_t (sys/sysmacros.h), written out from its documented bit layout.
    private static long major(long dev) {
        return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL);
    }

    private static long minor(long dev) {
        return ((dev >>> 12) & 0xffffff00L) | (dev & 0xffL);
    }

    private static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    @Test
    void lstatOfFileDirectoryAndSymlink() throws Exception {
        Files.write(tmp.resolve("file"), new byte[12345]);
        Files.createDirectory(tmp.resolve("dir"));
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("file"));
        Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere/at/all"));

        assertThat(assertMatchesCoreutils("file").kind()).isEqualTo(FileKind.FILE);
        assertThat(assertMatchesCoreutils("file").size()).isEqualTo(12345);
        assertThat(assertMatchesCoreutils("dir").kind()).isEqualTo(FileKind.DIRECTORY);
        FileStat link = assertMatchesCoreutils("link");
        assertThat(link.kind()).isEqualTo(FileKind.SYMLINK);
        assertThat(link.size()).isEqualTo("file".length()); // the link's own size: not followed
        assertThat(link.inode()).isNotEqualTo(FileSystemAccess.lstat(tmp.resolve("file")).inode());
        assertThat(assertMatchesCoreutils("dangling").kind()).isEqualTo(FileKind.SYMLINK);
        assertThatThrownBy(() -> FileSystemAccess.lstat(tmp.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void hardLinksShareTheInode() throws Exception {
        Files.write(tmp.resolve("a"), new byte[] {1});
        Files.createLink(tmp.resolve("b"), tmp.resolve("a"));
        FileStat a = assertMatchesCoreutils("a");
        FileStat b = assertMatchesCoreutils("b");
        assertThat(a.links()).isEqualTo(2);
        assertThat(b.links()).isEqualTo(2);
        assertThat(b.inode()).isEqualTo(a.inode());
        assertThat(b.device()).isEqualTo(a.device());
    }

    @Test
    void fifoAndSocketNodes() throws Exception {
        FileSystemAccess.createSpecial(tmp.resolve("fifo"), FileKind.FIFO, 0640, 0);
        FileSystemAccess.createSpecial(tmp.resolve("sock"), FileKind.SOCKET, 0600, 0);
        assertThat(stat("%F %a", "fifo")).isEqualTo("fifo 640");
        assertThat(stat("%F %a", "sock")).isEqualTo("socket 600");
        assertThat(assertMatchesCoreutils("fifo").kind()).isEqualTo(FileKind.FIFO);
        assertThat(assertMatchesCoreutils("sock").kind()).isEqualTo(FileKind.SOCKET);
        assertThatThrownBy(() -> FileSystemAccess.createSpecial(tmp.resolve("fifo"), FileKind.FIFO, 0640, 0))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> FileSystemAccess.createSpecial(tmp.resolve("d"), FileKind.DIRECTORY, 0755, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deviceNodesAsRoot() throws Exception {
        assumeTrue(root(), "mknod of devices needs root");
        FileStat devNull = FileSystemAccess.lstat(Path.of("/dev/null"));
        assertThat(devNull.kind()).isEqualTo(FileKind.CHAR_DEVICE);
        assertThat(major(devNull.rdev())).isEqualTo(1);
        assertThat(minor(devNull.rdev())).isEqualTo(3);
        FileSystemAccess.createSpecial(tmp.resolve("null"), FileKind.CHAR_DEVICE, 0666, devNull.rdev());
        FileStat copy = assertMatchesCoreutils("null");
        assertThat(copy.kind()).isEqualTo(FileKind.CHAR_DEVICE);
        assertThat(copy.rdev()).isEqualTo(devNull.rdev());
        assertThat(copy.mode()).isEqualTo(0666 & ~umask());
        assertThat(stat("%F %t %T", "null")).isEqualTo("character special file 1 3");

        // A block device whose minor needs the high bits of the encoding (Linux limits: 12-bit
        // major, 20-bit minor).
        long rdev = makedev(0x234, 0x56789);
        FileSystemAccess.createSpecial(tmp.resolve("blk"), FileKind.BLOCK_DEVICE, 0600, rdev);
        assertThat(stat("%F %t %T", "blk")).isEqualTo("block special file 234 56789");
        assertThat(assertMatchesCoreutils("blk").rdev()).isEqualTo(rdev);
    }

    private int umask() throws Exception {
        return Integer.parseInt(new String(run("sh", "-c", "umask"), StandardCharsets.UTF_8).strip(), 8);
    }

    @Test
    void symlinkWithNonUtf8TargetRoundTrips() throws Exception {
        byte[] target = {'.', '.', '/', (byte) 0xE9, 't', (byte) 0xFF, '/', '/', 'x', '\n', 'y', '/'};
        Path link = tmp.resolve("link");
        FileSystemAccess.createSymlink(link, target);
        assertThat(FileSystemAccess.readLink(link)).isEqualTo(target);
        assertThat(run("readlink", "--", "link")).isEqualTo(concat(target, new byte[] {'\n'}));
        assertThat(FileNames.pathBytes(Files.readSymbolicLink(link))).isEqualTo(target); // the JDK agrees
        assertThat(FileSystemAccess.lstat(link).size()).isEqualTo(target.length);

        byte[] longTarget = new byte[3000];
        java.util.Arrays.fill(longTarget, (byte) 'q');
        FileSystemAccess.createSymlink(tmp.resolve("long"), longTarget);
        assertThat(FileSystemAccess.readLink(tmp.resolve("long"))).isEqualTo(longTarget);
        assertThatThrownBy(() -> FileSystemAccess.createSymlink(link, target)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> FileSystemAccess.readLink(tmp.resolve("nolink"))).isInstanceOf(NoSuchFileException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private String pythonXattrs(String name) throws Exception {
        String script = "import os,sys\n"
                + "p=sys.argv[1]\n"
                + "for n in sorted(os.listxattr(p, follow_symlinks=False)):\n"
                + "  print(n, os.getxattr(p, n, follow_symlinks=False).hex())\n";
        return new String(run("python3", "-c", script, name), StandardCharsets.UTF_8);
    }

    @Test
    void userXattrsRoundTrip() throws Exception {
        Path f = tmp.resolve("f");
        Files.write(f, new byte[0]);
        assertThat(FileSystemAccess.readXattrs(f)).isEmpty();
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        List<Xattr> xs = List.of(new Xattr("user.empty", new byte[0]), new Xattr("user.bin", binary),
                new Xattr("user.text", "h\u00e9llo".getBytes(StandardCharsets.UTF_8)));
        FileSystemAccess.writeXattrs(f, xs);
        assertThat(FileSystemAccess.readXattrs(f)).containsExactlyInAnyOrderElementsOf(xs);
        // The JDK's user-namespace view and Python see the same.
        UserDefinedFileAttributeView view = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(view.size("bin"));
        view.read("bin", buf);
        assertThat(buf.array()).isEqualTo(binary);
        HexFormat hex = HexFormat.of();
        assertThat(pythonXattrs("f")).isEqualTo("user.bin " + hex.formatHex(binary) + "\n" + "user.empty \n"
                + "user.text " + hex.formatHex("h\u00e9llo".getBytes(StandardCharsets.UTF_8)) + "\n");
    }

    @Test
    void trustedXattrsAsRoot() throws Exception {
        assumeTrue(root(), "trusted.* is visible to root only");
        Path d = tmp.resolve("d");
        Files.createDirectory(d);
        List<Xattr> xs = List.of(new Xattr("trusted.rempart", new byte[] {0, (byte) 0xFF, 7}),
                new Xattr("user.x", new byte[] {1}));
        FileSystemAccess.writeXattrs(d, xs);
        assertThat(FileSystemAccess.readXattrs(d)).containsExactlyInAnyOrderElementsOf(xs);
        assertThat(pythonXattrs("d")).isEqualTo("trusted.rempart 00ff07\nuser.x 01\n");

        // On a symlink itself (Linux allows trusted.* there, user.* not), leaving the target alone.
        Path link = tmp.resolve("l");
        Files.createSymbolicLink(link, d);
        FileSystemAccess.writeXattrs(link, List.of(new Xattr("trusted.onlink", new byte[] {42})));
        assertThat(FileSystemAccess.readXattrs(link)).containsExactly(new Xattr("trusted.onlink", new byte[] {42}));
        assertThat(FileSystemAccess.readXattrs(d)).containsExactlyInAnyOrderElementsOf(xs);
    }

    @Test
    void restoreMetadataOnAFile() throws Exception {
        assumeTrue(root(), "chown to other ids needs root");
        Path f = tmp.resolve("f");
        Files.write(f, new byte[] {1});
        Instant atime = Instant.ofEpochSecond(1_234_567_890L, 123_456_789);
        Instant mtime = Instant.ofEpochSecond(1_600_000_000L, 987_654_321);
        FileSystemAccess.restoreMetadata(f, FileKind.FILE, 04751, 1234, 5678, atime, mtime);
        FileStat s = assertMatchesCoreutils("f");
        assertThat(s.mode()).isEqualTo(04751); // setuid survives: chmod ran after chown
        assertThat(s.uid()).isEqualTo(1234);
        assertThat(s.gid()).isEqualTo(5678);
        assertThat(s.atime()).isEqualTo(atime);
        assertThat(s.mtime()).isEqualTo(mtime);
        assertThat(stat("%a %u %g %.9Y", "f")).isEqualTo("4751 1234 5678 1600000000.987654321");

        // Directories with sticky bit; a null atime is left alone.
        Path d = tmp.resolve("d");
        Files.createDirectory(d);
        Instant before = FileSystemAccess.lstat(d).atime();
        FileSystemAccess.restoreMetadata(d, FileKind.DIRECTORY, 01777, 0, 0, null, mtime);
        FileStat ds = assertMatchesCoreutils("d");
        assertThat(ds.mode()).isEqualTo(01777);
        assertThat(ds.mtime()).isEqualTo(mtime);
        assertThat(ds.atime()).isEqualTo(before);
    }

    @Test
    void restoreMetadataOnASymlinkLeavesTheTargetAlone() throws Exception {
        assumeTrue(root(), "chown to other ids needs root");
        Path target = tmp.resolve("target");
        Files.write(target, new byte[] {1});
        FileStat targetBefore = FileSystemAccess.lstat(target);
        Path link = tmp.resolve("link");
        FileSystemAccess.createSymlink(link, "target".getBytes(StandardCharsets.US_ASCII));
        Instant mtime = Instant.ofEpochSecond(1_000_000_000L, 1);
        Instant atime = Instant.ofEpochSecond(1_000_000_001L, 999_999_999);
        FileSystemAccess.restoreMetadata(link, FileKind.SYMLINK, 0600, 4321, 8765, atime, mtime);
        FileStat l = assertMatchesCoreutils("link");
        assertThat(l.kind()).isEqualTo(FileKind.SYMLINK);
        assertThat(l.mtime()).isEqualTo(mtime);
        assertThat(l.atime()).isEqualTo(atime);
        assertThat(l.uid()).isEqualTo(4321);
        assertThat(l.gid()).isEqualTo(8765);
        assertThat(l.mode()).isEqualTo(0777); // Linux symlinks have no permissions of their own
        FileStat targetAfter = assertMatchesCoreutils("target");
        assertThat(targetAfter.mtime()).isEqualTo(targetBefore.mtime());
        assertThat(targetAfter.uid()).isEqualTo(targetBefore.uid());
        assertThat(targetAfter.mode()).isEqualTo(targetBefore.mode());
    }

    @Test
    void restoreMetadataOnNonUtf8Name() throws Exception {
        Path f = FileNames.resolve(tmp, new byte[] {(byte) 0xE9, (byte) 0xFF});
        Files.write(f, new byte[0]);
        Instant mtime = Instant.ofEpochSecond(42, 7);
        FileStat before = FileSystemAccess.lstat(f);
        FileSystemAccess.restoreMetadata(f, FileKind.FILE, 0604, before.uid(), before.gid(), mtime, mtime);
        FileStat s = FileSystemAccess.lstat(f);
        assertThat(s.mode()).isEqualTo(0604);
        assertThat(s.mtime()).isEqualTo(mtime);
        FileSystemAccess.writeXattrs(f, List.of(new Xattr("user.k", new byte[] {9})));
        assertThat(FileSystemAccess.readXattrs(f)).containsExactly(new Xattr("user.k", new byte[] {9}));
        assertThatThrownBy(() -> FileSystemAccess.restoreMetadata(tmp.resolve("none"), FileKind.FILE, 0600, 0, 0, null, null))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void userAndGroupNames() throws Exception {
        String me = new String(run("id", "-un"), StandardCharsets.UTF_8).strip();
        int myUid = Integer.parseInt(new String(run("id", "-u"), StandardCharsets.UTF_8).strip());
        String myGroup = new String(run("id", "-gn"), StandardCharsets.UTF_8).strip();
        int myGid = Integer.parseInt(new String(run("id", "-g"), StandardCharsets.UTF_8).strip());
        assertThat(FileSystemAccess.userName(myUid)).isEqualTo(me);
        assertThat(FileSystemAccess.userName(myUid)).isEqualTo(me); // cached path
        assertThat(FileSystemAccess.groupName(myGid)).isEqualTo(myGroup);
        assertThat(FileSystemAccess.uidOf(me)).isEqualTo(myUid);
        assertThat(FileSystemAccess.gidOf(myGroup)).isEqualTo(myGid);
        assertThat(FileSystemAccess.userName(987_654_321)).isEmpty();
        assertThat(FileSystemAccess.groupName(987_654_321)).isEmpty();
        assertThat(FileSystemAccess.uidOf("no-such-user-rempart")).isEqualTo(-1);
        assertThat(FileSystemAccess.gidOf("no-such-group-rempart")).isEqualTo(-1);
        assertThat(FileSystemAccess.uidOf("")).isEqualTo(-1);
    }

    @Test
    void xattrValueIsCopiedAndComparedByContent() {
        byte[] v = {1, 2};
        Xattr x = new Xattr("user.a", v);
        v[0] = 9;
        assertThat(x.value()).containsExactly(1, 2);
        assertThat(x).isEqualTo(new Xattr("user.a", new byte[] {1, 2})).hasSameHashCodeAs(new Xattr("user.a", new byte[] {1, 2}));
        assertThat(x).isNotEqualTo(new Xattr("user.a", new byte[] {1, 3}));
    }
}
