package eu.rempart.vault.testing;

import eu.rempart.vault.fs.FileKind;
import eu.rempart.vault.fs.FileNames;
import eu.rempart.vault.fs.FileStat;
import eu.rempart.vault.fs.FileSystemAccess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * Compares two trees: names (raw bytes), types, content, symlink targets, permissions, owners,
 * mtimes (regular files, symlinks; directories too), hard-link structure and xattrs.
 */
public final class TreeCompare {
    private TreeCompare() {
    }

    /** Differences, one line each; empty when the trees match. */
    public static List<String> diff(Path expected, Path actual) throws IOException {
        return diff(expected, actual, true);
    }

    /**
     * Differences, leaving out folder mtimes when {@code folderTimes} is false: for a tree put back
     * in place, whose folders changed when files were moved out of and into them.
     */
    public static List<String> diff(Path expected, Path actual, boolean folderTimes) throws IOException {
        List<String> out = new ArrayList<>();
        compareDir(expected, actual, "", folderTimes, out);
        return out;
    }

    private static TreeMap<String, Path> list(Path dir) throws IOException {
        TreeMap<String, Path> m = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                m.put(HexFormat.of().formatHex(FileNames.nameBytes(p)), p);
            }
        }
        return m;
    }

    private static void compareDir(Path e, Path a, String rel, boolean folderTimes, List<String> out) throws IOException {
        TreeMap<String, Path> le = list(e);
        TreeMap<String, Path> la = list(a);
        for (String k : le.keySet()) {
            if (!la.containsKey(k)) {
                out.add("missing: " + rel + "/" + FileNames.display(HexFormat.of().parseHex(k)));
            }
        }
        for (String k : la.keySet()) {
            if (!le.containsKey(k)) {
                out.add("extra: " + rel + "/" + FileNames.display(HexFormat.of().parseHex(k)));
            }
        }
        for (String k : le.keySet()) {
            Path pe = le.get(k);
            Path pa = la.get(k);
            if (pa == null) {
                continue;
            }
            String r = rel + "/" + FileNames.display(FileNames.nameBytes(pe));
            FileStat se = FileSystemAccess.lstat(pe);
            FileStat sa = FileSystemAccess.lstat(pa);
            if (se.kind() != sa.kind()) {
                out.add("type differs: " + r + " " + se.kind() + " vs " + sa.kind());
                continue;
            }
            if (se.mode() != sa.mode() && se.kind() != FileKind.SYMLINK) {
                out.add("mode differs: " + r + " " + Integer.toOctalString(se.mode()) + " vs " + Integer.toOctalString(sa.mode()));
            }
            if (se.uid() != sa.uid() || se.gid() != sa.gid()) {
                out.add("owner differs: " + r);
            }
            if (!se.mtime().equals(sa.mtime()) && (folderTimes || se.kind() != FileKind.DIRECTORY)) {
                out.add("mtime differs: " + r + " " + se.mtime() + " vs " + sa.mtime());
            }
            if (se.links() != sa.links() && se.kind() == FileKind.FILE) {
                out.add("link count differs: " + r + " " + se.links() + " vs " + sa.links());
            }
            if (!FileSystemAccess.readXattrs(pe).equals(FileSystemAccess.readXattrs(pa))) {
                out.add("xattrs differ: " + r);
            }
            switch (se.kind()) {
                case FILE -> {
                    if (se.size() != sa.size() || !sha(pe).equals(sha(pa))) {
                        out.add("content differs: " + r);
                    }
                }
                case SYMLINK -> {
                    if (!java.util.Arrays.equals(FileSystemAccess.readLink(pe), FileSystemAccess.readLink(pa))) {
                        out.add("link target differs: " + r);
                    }
                }
                case DIRECTORY -> compareDir(pe, pa, r, folderTimes, out);
                default -> {
                }
            }
        }
    }

    public static String sha(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
