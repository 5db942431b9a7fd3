package eu.rempart.vault.archiver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * restic's exclude patterns: glob components separated by '/', {@code **} spanning any number of
 * components; a pattern that does not start with '/' may match anywhere in the path (so
 * {@code *.tmp} excludes such files at every depth); a pattern matching a directory excludes all
 * below it.
 */
public final class Excludes {
    private final List<String> raw;
    private final List<Component[]> patterns = new ArrayList<>();
    /** restic's {@code --exclude-larger-than}: files above this many bytes are left out (0: none). */
    private final long maxFileSize;
    /**
     * restic's {@code --one-file-system}: what lies on another file system than the backup target
     * it is under is left out; a mount point is kept as an empty folder (see the archiver).
     */
    private final boolean oneFileSystem;

    private record Component(boolean doubleStar, Pattern glob) {
    }

    private Excludes(List<String> raw, int caseSensitive) {
        this.raw = List.copyOf(raw);
        this.maxFileSize = 0;
        this.oneFileSystem = false;
        for (int i = 0; i < raw.size(); i++) {
            patterns.add(compile(raw.get(i), i >= caseSensitive));
        }
    }

    private Excludes(List<String> raw, List<Component[]> compiled, long maxFileSize, boolean oneFileSystem) {
        this.raw = raw;
        this.patterns.addAll(compiled);
        this.maxFileSize = maxFileSize;
        this.oneFileSystem = oneFileSystem;
    }

    public static Excludes none() {
        return new Excludes(List.of(), 0);
    }

    public static Excludes of(List<String> patterns, List<Path> excludeFiles) throws IOException {
        return of(patterns, excludeFiles, List.of(), List.of());
    }

    /**
     * With restic's {@code --iexclude}/{@code --iexclude-file} too: patterns that ignore case (a
     * Windows folder is the same whatever its case).
     */
    public static Excludes of(List<String> patterns, List<Path> excludeFiles, List<String> ignoringCase,
            List<Path> ignoringCaseFiles) throws IOException {
        List<String> all = read(patterns, excludeFiles);
        int sensitive = all.size();
        all.addAll(read(ignoringCase, ignoringCaseFiles));
        return new Excludes(all, sensitive);
    }

    /** Patterns given as they are, the second list ignoring case (no files to read). */
    public static Excludes matching(List<String> patterns, List<String> ignoringCase) {
        try {
            return of(patterns, List.of(), ignoringCase, List.of());
        } catch (IOException e) {
            throw new IllegalStateException("no file was read", e);
        }
    }

    private static List<String> read(List<String> patterns, List<Path> files) throws IOException {
        List<String> all = new ArrayList<>();
        for (String p : patterns) {
            if (!p.isBlank()) {
                all.add(p.strip());
            }
        }
        for (Path f : files) {
            all.addAll(listFile(f));
        }
        return all;
    }

    /**
     * The entries of a list file, as restic reads its exclude files and {@code --files-from}: one
     * per line, stripped; blank lines and lines starting with {@code #} skipped.
     */
    public static List<String> listFile(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    /** The same patterns, and files larger than {@code bytes} left out too (0: no limit). */
    public Excludes withMaxFileSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size: " + bytes);
        }
        return new Excludes(raw, patterns, bytes, oneFileSystem);
    }

    /** The same rules, and what lies on other file systems than its backup target left out too. */
    public Excludes withOneFileSystem(boolean on) {
        return new Excludes(raw, patterns, maxFileSize, on);
    }

    public boolean oneFileSystem() {
        return oneFileSystem;
    }

    /** Whether a file of {@code size} bytes is left out for its size. */
    public boolean tooLarge(long size) {
        return maxFileSize > 0 && size > maxFileSize;
    }

    /** The patterns as given, recorded in the snapshot's {@code excludes}. */
    public List<String> patterns() {
        return raw;
    }

    public boolean isEmpty() {
        return patterns.isEmpty() && maxFileSize == 0 && !oneFileSystem;
    }

    private static Component[] compile(String pattern, boolean ignoreCase) {
        boolean anchored = pattern.startsWith("/");
        String[] parts = pattern.replaceAll("/+$", "").split("/+");
        List<Component> cs = new ArrayList<>();
        if (!anchored) {
            cs.add(new Component(true, null));
        }
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            cs.add(part.equals("**") ? new Component(true, null) : new Component(false, glob(part, ignoreCase)));
        }
        return cs.toArray(new Component[0]);
    }

    /**
     * A test of one name (not a path) against a glob in the same syntax ({@code *}, {@code ?},
     * {@code [a-z]}, a backslash to escape), as restic's {@code find} uses it.
     */
    public static java.util.function.Predicate<String> nameGlob(String glob, boolean ignoreCase) {
        Pattern p = glob(glob, ignoreCase);
        return name -> p.matcher(name).matches();
    }

    private static Pattern glob(String glob, boolean ignoreCase) {
        return Pattern.compile(globToRegex(glob), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    }

    static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> sb.append("[^/]*");
                case '?' -> sb.append("[^/]");
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        sb.append("\\[");
                    } else {
                        String cls = glob.substring(i + 1, end);
                        if (cls.startsWith("^") || cls.startsWith("!")) {
                            cls = "^" + cls.substring(1);
                        }
                        sb.append('[').append(cls.replace("\\", "\\\\")).append(']');
                        i = end;
                    }
                }
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        sb.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }

    /** Whether an absolute path (components without the leading '/') is excluded. */
    public boolean excluded(List<String> components) {
        for (Component[] p : patterns) {
            if (match(p, 0, components, 0)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some path below {@code dir} could match a pattern (used by restore's include
     * filter to decide which directories to walk).
     */
    public boolean mayMatchBelow(List<String> dir) {
        for (Component[] p : patterns) {
            if (prefixMatch(p, 0, dir, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatch(Component[] p, int pi, List<String> path, int si) {
        if (si == path.size() || pi == p.length) {
            return true;
        }
        if (p[pi].doubleStar()) {
            return true;
        }
        return p[pi].glob().matcher(path.get(si)).matches() && prefixMatch(p, pi + 1, path, si + 1);
    }

    private static boolean match(Component[] p, int pi, List<String> path, int si) {
        if (pi == p.length) {
            // the pattern matched a prefix: that directory, and everything in it, is excluded
            return true;
        }
        if (p[pi].doubleStar()) {
            for (int k = si; k <= path.size(); k++) {
                if (match(p, pi + 1, path, k)) {
                    return true;
                }
            }
            return false;
        }
        return si < path.size() && p[pi].glob().matcher(path.get(si)).matches() && match(p, pi + 1, path, si + 1);
    }
}
