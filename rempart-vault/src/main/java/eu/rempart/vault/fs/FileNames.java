package eu.rempart.vault.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * File names as raw bytes. On Unix a name is any byte sequence without '/' and NUL; Java's
 * String-based paths lose the bytes that are not valid in the platform encoding. The JDK's
 * {@code sun.nio.fs.UnixPath} keeps the raw bytes, so when {@code java.base/sun.nio.fs} is opened
 * to us we read and build paths through it; otherwise we fall back to String conversion (lossy
 * for invalid names, but everything else keeps working).
 */
public final class FileNames {
    private static final Class<?> UNIX_PATH;
    private static final MethodHandle AS_BYTE_ARRAY; // (UnixPath) -> byte[]
    private static final MethodHandle NEW_UNIX_PATH; // (UnixFileSystem, byte[]) -> UnixPath
    private static final Class<?> UNIX_FS;

    static {
        Class<?> unixPath = null;
        Class<?> unixFs = null;
        MethodHandle asBytes = null;
        MethodHandle ctor = null;
        try {
            unixPath = Class.forName("sun.nio.fs.UnixPath");
            unixFs = Class.forName("sun.nio.fs.UnixFileSystem");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(unixPath, MethodHandles.lookup());
            asBytes = lookup.findVirtual(unixPath, "asByteArray", MethodType.methodType(byte[].class))
                    .asType(MethodType.methodType(byte[].class, Path.class));
            ctor = lookup.findConstructor(unixPath, MethodType.methodType(void.class, unixFs, byte[].class))
                    .asType(MethodType.methodType(Path.class, FileSystem.class, byte[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not on Unix, or --add-opens java.base/sun.nio.fs=ALL-UNNAMED missing: String fallback.
            unixPath = null;
            unixFs = null;
            asBytes = null;
            ctor = null;
        }
        UNIX_PATH = unixPath;
        UNIX_FS = unixFs;
        AS_BYTE_ARRAY = asBytes;
        NEW_UNIX_PATH = ctor;
    }

    private FileNames() {
    }

    /** True if names are handled losslessly as raw bytes (the reflective access works). */
    static boolean rawBytesSupported() {
        return AS_BYTE_ARRAY != null;
    }

    /** Raw bytes of {@code p.getFileName()}, or of the whole path if it has no file name (e.g. "/"). */
    public static byte[] nameBytes(Path p) {
        Path name = p.getFileName();
        return pathBytes(name != null ? name : p);
    }

    /** Raw bytes of the whole path, as the kernel sees them. */
    public static byte[] pathBytes(Path p) {
        if (AS_BYTE_ARRAY != null && UNIX_PATH.isInstance(p)) {
            try {
                // asByteArray returns the internal array: copy so callers cannot corrupt the path.
                return ((byte[]) AS_BYTE_ARRAY.invokeExact(p)).clone();
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read raw path bytes", t);
            }
        }
        return p.toString().getBytes(fallbackCharset(p.getFileSystem()));
    }

    /** Like pathBytes, but may return the path's own array: read only, and only inside this package. */
    static byte[] pathBytesShared(Path p) {
        if (AS_BYTE_ARRAY != null && UNIX_PATH.isInstance(p)) {
            try {
                return (byte[]) AS_BYTE_ARRAY.invokeExact(p);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read raw path bytes", t);
            }
        }
        return pathBytes(p);
    }

    /**
     * {@code dir/name}, without loss for any valid Unix name.
     *
     * @throws IllegalArgumentException if name is empty, ".", "..", or contains '/' or NUL
     */
    public static Path resolve(Path dir, byte[] name) {
        checkName(name);
        if (NEW_UNIX_PATH != null && UNIX_PATH.isInstance(dir)) {
            // A single valid name is already normalized, which UnixPath's raw constructor requires.
            return dir.resolve(newUnixPath(dir.getFileSystem(), name.clone()));
        }
        return dir.resolve(new String(name, fallbackCharset(dir.getFileSystem())));
    }

    /** A path in the default file system from raw bytes; redundant and trailing slashes are dropped. */
    public static Path fromBytes(byte[] path) {
        FileSystem fs = FileSystems.getDefault();
        for (byte b : path) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains NUL: " + display(path));
            }
        }
        if (NEW_UNIX_PATH != null && UNIX_FS.isInstance(fs)) {
            return newUnixPath(fs, normalize(path));
        }
        return fs.getPath(new String(path, fallbackCharset(fs)));
    }

    /** For messages: UTF-8, with each byte that is not part of valid UTF-8 shown as \xNN. */
    public static String display(byte[] name) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length);
        StringBuilder sb = new StringBuilder(name.length + 8);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            out.flip();
            sb.append(out);
            out.clear();
            if (r.isUnderflow()) {
                break;
            }
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    sb.append(String.format("\\x%02X", in.get() & 0xff));
                }
            }
        }
        return sb.toString();
    }

    /** Byte path for error messages, never failing. */
    static String display(Path p) {
        try {
            return display(pathBytes(p));
        } catch (RuntimeException e) {
            return p.toString();
        }
    }

    static void checkName(byte[] name) {
        if (name.length == 0) {
            throw new IllegalArgumentException("empty file name");
        }
        if (name[0] == '.' && (name.length == 1 || (name.length == 2 && name[1] == '.'))) {
            throw new IllegalArgumentException("invalid file name: " + display(name));
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new IllegalArgumentException("file name contains '/' or NUL: " + display(name));
            }
        }
    }

    /** Collapses repeated slashes and drops a trailing slash, like UnixPath's String constructor. */
    static byte[] normalize(byte[] path) {
        byte[] out = new byte[path.length];
        int n = 0;
        for (byte b : path) {
            if (b == '/' && n > 0 && out[n - 1] == '/') {
                continue;
            }
            out[n++] = b;
        }
        if (n > 1 && out[n - 1] == '/') {
            n--;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static Path newUnixPath(FileSystem fs, byte[] bytes) {
        try {
            return (Path) NEW_UNIX_PATH.invokeExact(fs, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot create raw path", t);
        }
    }

    private static Charset fallbackCharset(FileSystem fs) {
        // Unix JDKs convert path Strings with sun.jnu.encoding; elsewhere (Windows) names are
        // Unicode and restic stores them as UTF-8.
        if (fs == FileSystems.getDefault() && "/".equals(fs.getSeparator())) {
            String jnu = System.getProperty("sun.jnu.encoding");
            if (jnu != null) {
                try {
                    return Charset.forName(jnu);
                } catch (RuntimeException e) {
                    // unknown charset name: use UTF-8
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
