package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.Sizes;
import eu.rempart.vault.FileType;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.Backends;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshots;
import eu.rempart.vault.tree.Node;
import eu.rempart.vault.tree.Tree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The root command: global options and what every sub-command shares (streams, repository, password). */
@Command(name = "rempart", description = "Rempart: backups in restic's repository format.")
final class Cli {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The sub-commands, in the order help lists them; {@link Main} registers only those a command line names. */
    static final List<Class<?>> COMMANDS = List.of(InitCommand.class, BackupCommand.class, SnapshotsCommand.class,
            LsCommand.class, FindCommand.class, DumpCommand.class, DiffCommand.class, StatsCommand.class,
            RestoreCommand.class, CheckCommand.class, TagCommand.class, RewriteCommand.class, KeyCommand.class,
            UnlockCommand.class, CacheCommand.class, ForgetCommand.class, PruneCommand.class, RepairCommand.class,
            MigrateCommand.class, ListCommand.class, CatCommand.class, AgentCommand.class, CopyCommand.class,
            RetentionCommand.class, ProtectCommand.class, VaultCommand.class, SentinelCommand.class, RecoverCommand.class,
            VersionCommand.class);

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    /** Null when no terminal is attached (tests, pipes): then nothing is ever prompted or animated. */
    final Console console;
    private Messages messages;

    @Option(names = {"-r", "--repo"}, scope = ScopeType.INHERIT, paramLabel = "REPO",
            description = "repository: a directory, rest:http(s)://[user:pass@]host:port/path/ or s3:http(s)://host:port/bucket/prefix (default: $REMPART_REPOSITORY)")
    String repo;

    @Option(names = {"-o", "--option"}, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "backend option, e.g. rest.timeout=30s, rest.connections=5, rest.retries=6 (repeatable)")
    Map<String, String> options = new java.util.LinkedHashMap<>();

    @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "also trust this PEM certificate for https repositories (repeatable)")
    List<Path> cacerts = new java.util.ArrayList<>();

    @Option(names = "--password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "file holding the password (default: $REMPART_PASSWORD_FILE, then $REMPART_PASSWORD)")
    Path passwordFile;

    @Option(names = "--cache-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "local cache of remote repositories' index, snapshots and trees (default: $REMPART_CACHE_DIR, else the user's cache directory)")
    Path cacheDir;

    @Option(names = "--no-cache", scope = ScopeType.INHERIT, description = "do not cache remote repositories locally")
    boolean noCache;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "machine-readable output")
    boolean json;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "print only errors")
    boolean quiet;

    @Option(names = "--lang", scope = ScopeType.INHERIT, paramLabel = "fr|en",
            description = "language of messages (default: $REMPART_LANG, else fr)")
    String lang;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "print stack traces of errors")
    boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "show this help")
    boolean help;

    Cli(PrintStream out, PrintStream err, Map<String, String> env, Console console) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.console = console;
    }

    Messages msg() {
        if (messages == null) {
            messages = Messages.of(lang != null ? lang : env.get("REMPART_LANG"));
        }
        return messages;
    }

    String env(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    boolean interactive() {
        return console != null && !json && !quiet;
    }

    /** Prints a translated line on stdout unless {@code --quiet} or {@code --json}. */
    void say(String key, Object... args) {
        if (!quiet && !json) {
            out.println(msg().get(key, args));
        }
    }

    void printJson(JsonNode n) {
        try {
            out.println(JSON.writeValueAsString(n));
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "error.internal", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- repository and password

    String repoLocation() {
        String r = repo != null ? repo : env("REMPART_REPOSITORY");
        if (r == null) {
            throw new CliException(ExitCodes.ERROR, "error.noRepo");
        }
        return r;
    }

    /** The repository's backend, from its location ({@code -r}) and the backend options. */
    Backend backend() throws IOException {
        return backendAt(repoLocation());
    }

    Backend backendAt(String location) throws IOException {
        try {
            return Backends.open(location, options, cacerts);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "error.badRepoOption", e.getMessage());
        }
    }

    /**
     * The source repository of {@code copy} and {@code init --copy-chunker-params}: {@code
     * --from-repo} or $REMPART_FROM_REPOSITORY, its password from {@code --from-password-file},
     * $REMPART_FROM_PASSWORD_FILE or $REMPART_FROM_PASSWORD (as restic's RESTIC_FROM_*).
     */
    Repository openFrom(String location, Path passwordFile) throws IOException {
        String loc = location != null ? location : env("REMPART_FROM_REPOSITORY");
        if (loc == null) {
            throw new CliException(ExitCodes.ERROR, "error.noFromRepo");
        }
        Path f = passwordFile != null ? passwordFile
                : env("REMPART_FROM_PASSWORD_FILE") != null ? Path.of(env("REMPART_FROM_PASSWORD_FILE")) : null;
        char[] pw = f != null ? readPasswordFile(f)
                : env.get("REMPART_FROM_PASSWORD") != null ? env.get("REMPART_FROM_PASSWORD").toCharArray() : null;
        if (pw == null) {
            throw new CliException(ExitCodes.ERROR, "error.noFromPassword");
        }
        try {
            return open(backendAt(loc), pw);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** The password from --password-file, $REMPART_PASSWORD_FILE, $REMPART_PASSWORD, or a prompt; null if none. */
    char[] passwordOrNull() {
        Path f = passwordFile != null ? passwordFile : env("REMPART_PASSWORD_FILE") != null
                ? Path.of(env("REMPART_PASSWORD_FILE")) : null;
        if (f != null) {
            return readPasswordFile(f);
        }
        String p = env.get("REMPART_PASSWORD");
        if (p != null) {
            return p.toCharArray();
        }
        return null;
    }

    char[] password() {
        char[] p = passwordOrNull();
        if (p != null) {
            return p;
        }
        if (console != null) {
            char[] typed = console.readPassword("%s", msg().get("prompt.password"));
            if (typed != null) {
                return typed;
            }
        }
        throw new CliException(ExitCodes.ERROR, "error.noPassword");
    }

    /** A new password (key add/passwd): --new-password-file, $REMPART_NEW_PASSWORD, or typed twice. */
    char[] newPassword(Path file) {
        if (file != null) {
            return readPasswordFile(file);
        }
        String p = env.get("REMPART_NEW_PASSWORD");
        if (p != null) {
            return p.toCharArray();
        }
        if (console != null) {
            char[] a = console.readPassword("%s", msg().get("prompt.newPassword"));
            char[] b = console.readPassword("%s", msg().get("prompt.newPasswordAgain"));
            if (a != null && b != null && Arrays.equals(a, b) && a.length > 0) {
                Arrays.fill(b, '\0');
                return a;
            }
            throw new CliException(ExitCodes.ERROR, "error.passwordsDiffer");
        }
        throw new CliException(ExitCodes.ERROR, "error.noNewPassword");
    }

    char[] readPasswordFile(Path f) {
        try {
            return eu.rempart.vault.crypto.PasswordFile.readNonEmpty(f);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "error.passwordFile", f);
        }
    }

    /** A size flag's value ({@link Sizes#parse}), translated error and exit 1 if it is none. */
    static long size(String text, String flag, boolean zeroAllowed) {
        try {
            long v = Sizes.parse(text);
            if (v > 0 || zeroAllowed) {
                return v;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        throw new CliException(ExitCodes.ERROR, "error.badSize", text, flag);
    }

    static boolean repositoryExists(Path p) {
        return Files.isRegularFile(p.resolve("config"));
    }

    /** Opens the repository (exit 10 if there is none; wrong password → exit 1, nothing written). */
    Repository open() throws IOException {
        return open(backend(), null);
    }

    Repository open(Path path, char[] pw) throws IOException {
        return open(new LocalBackend(path), pw);
    }

    /**
     * Opens the repository without the local cache, for {@code check}: it must judge what the
     * store holds, not local copies of it (restic's check does not use its cache either). Only the
     * copy of the key file is used, to start deriving the key at once.
     */
    Repository openUncached() throws IOException {
        return open(backend(), null, false);
    }

    Repository open(Backend backend, char[] pw) throws IOException {
        return open(backend, pw, true);
    }

    private Repository open(Backend backend, char[] pw, boolean cache) throws IOException {
        // Locally, a missing repository is said before a password is asked for. A remote store is
        // asked nothing before the password is known: the key is derived while it answers.
        if (backend.readsAreCheap() && !backend.exists(FileType.CONFIG, "config")) {
            throw new CliException(ExitCodes.NO_REPOSITORY, "error.repoMissing", backend.location());
        }
        char[] p = pw != null ? pw : password();
        try {
            Path base = cacheBaseFor(backend);
            return cache ? Repository.open(backend, p, base) : Repository.openFromStore(backend, p, base);
        } catch (eu.rempart.vault.repository.NoRepositoryException e) {
            throw new CliException(ExitCodes.NO_REPOSITORY, "error.repoMissing", backend.location());
        } finally {
            if (pw == null) {
                Arrays.fill(p, '\0');
            }
        }
    }

    /**
     * Where remote repositories are cached ({@code --cache-dir}, $REMPART_CACHE_DIR, else the
     * user's cache directory), created owner-only and tagged; null with {@code --no-cache} or if it
     * cannot be created (said on stderr: the command goes on without).
     */
    Path cacheBase() {
        if (noCache) {
            return null;
        }
        Path base = cacheLocation();
        try {
            return eu.rempart.vault.cache.CachedBackend.prepare(base);
        } catch (IOException | RuntimeException e) {
            err.println("rempart: " + msg().get("warning.noCache", base, e.getMessage()));
            return null;
        }
    }

    /** The cache of a remote repository ({@link #cacheBase}); none for a local one, which needs none. */
    Path cacheBaseFor(Backend backend) {
        return backend.readsAreCheap() ? null : cacheBase();
    }

    /** Where the cache is or would be ({@code --cache-dir}, $REMPART_CACHE_DIR, else the default). */
    Path cacheLocation() {
        Path base = cacheDir != null ? cacheDir
                : env("REMPART_CACHE_DIR") != null ? Path.of(env("REMPART_CACHE_DIR")) : defaultCacheBase();
        return base.toAbsolutePath();
    }

    private Path defaultCacheBase() {
        String os = System.getProperty("os.name", "");
        if (os.startsWith("Windows") && env("LOCALAPPDATA") != null) {
            return Path.of(env("LOCALAPPDATA"), "Rempart", "cache");
        }
        if (os.startsWith("Mac")) {
            return ProtectCommand.home(this).resolve("Library/Caches/rempart");
        }
        String xdg = env("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "rempart");
        }
        return ProtectCommand.home(this).resolve(".cache/rempart");
    }

    Lock lock(Repository r, boolean exclusive) throws IOException {
        return Lock.acquire(r, exclusive, hostname(), username());
    }

    /**
     * For a command that only reads the repository: writes the lock and returns before restic's
     * 200 ms wait for a concurrent locker is over, so the reading starts at once. The caller must
     * call {@link Lock#awaitConfirmed} before it reports anything: if the second look refuses the
     * lock, what was read is dropped and the refusal reported instead.
     */
    Lock beginLock(Repository r, boolean exclusive) throws IOException {
        return Lock.begin(r, exclusive, hostname(), username());
    }

    /**
     * Takes a shared lock and loads the index meanwhile: taking a lock waits 200 ms for a
     * concurrent locker (as restic does), and reading the index needs no lock to be safe; if the
     * lock is refused, what was read is simply dropped.
     */
    Lock lockAndLoadIndex(Repository r) throws IOException {
        Lock lock = beginLockAndLoadIndex(r);
        lock.awaitConfirmed();
        return lock;
    }

    /**
     * Writes a shared lock and loads the index, but returns before restic's 200 ms wait is over:
     * the repository holds its writes until the lock is confirmed ({@link Repository#holdWritesUntil}),
     * so a backup reads and chunks meanwhile and stores nothing if the lock is refused.
     */
    Lock beginLockAndLoadIndex(Repository r) throws IOException {
        java.util.concurrent.Future<?> loading = java.util.concurrent.ForkJoinPool.commonPool().submit(() -> {
            r.loadIndex();
            return null;
        });
        Lock lock = Lock.begin(r, false, hostname(), username());
        r.holdWritesUntil(lock.confirmed());
        try {
            Repository.join(loading);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        warnIndexRecovery(r);
        return lock;
    }

    /** Loads the index (without a lock: for commands that take theirs otherwise), warning of damage. */
    void loadIndex(Repository r) throws IOException {
        r.loadIndex();
        warnIndexRecovery(r);
    }

    /** Names, on stderr, the damaged index files {@link Repository#loadIndex} worked around. */
    private void warnIndexRecovery(Repository r) {
        r.indexRecovery().ifPresent(rec -> {
            for (Id id : rec.damagedFiles()) {
                err.println("rempart: " + msg().get("warning.indexDamaged", id.shortHex(), rec.packsRead()));
            }
            if (!rec.packsUnreadable().isEmpty()) {
                err.println("rempart: " + msg().get("warning.packHeadersUnreadable", rec.packsUnreadable().size(),
                        String.join(" ", rec.packsUnreadable().stream().map(Id::shortHex).toList())));
            }
        });
    }

    /**
     * The repository's snapshots that can be read; each damaged snapshot file is named on stderr
     * and left out, so that one damaged file does not stop every backup and restore.
     */
    Snapshots.Listing snapshots(Repository r) throws IOException {
        Snapshots.Listing l = Snapshots.list(r);
        for (Snapshots.Unreadable u : l.unreadable()) {
            err.println("rempart: " + msg().get("warning.snapshotDamaged", u.id().shortHex()));
        }
        return l;
    }

    KdfParams kdf() {
        // Test-only switch: cheap scrypt so test suites run fast. Never set it for real repositories.
        if ("1".equals(env("REMPART_KDF_TESTING"))) {
            return KdfParams.forTests();
        }
        return KdfParams.calibrate(Duration.ofMillis(500), 60L << 20);
    }

    String hostname() {
        String h = env("REMPART_HOST");
        if (h != null) {
            return h;
        }
        try {
            String s = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    String username() {
        return System.getProperty("user.name", "");
    }

    static List<Node> loadTree(Repository r, Id id) throws IOException {
        return Tree.decode(r.loadBlob(BlobType.TREE, id));
    }
}
