package eu.rempart.agent.store;

import eu.rempart.vault.fs.OwnerOnly;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent's history: every run with its full report, and when each job last fired (to catch up
 * after the machine was off). One SQLite file in a folder only its owner can enter; the file itself
 * is owner-only too, and SQLite gives its journal the file's permissions. Thread-safe.
 */
public final class RunStore implements AutoCloseable {
    /** How a run ended. RUNNING rows found at start were cut short by a crash or power loss. */
    public enum Status { RUNNING, SUCCESS, WARNING, FAILURE, INTERRUPTED }

    /** One run of one job on one repository. */
    public record Run(long id, String job, String kind, String repository, Instant started, Instant finished,
            Status status, String summary, String report) {
    }

    private final Connection db;

    private RunStore(Connection db) {
        this.db = db;
    }

    /** Opens (creating if needed) the store in {@code dir}. Several processes may open it at once. */
    public static RunStore open(Path dir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Files.createDirectories(dir);
        if (posix) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        Path file = dir.resolve("agent.db");
        try {
            OwnerOnly.createFile(file);
        } catch (FileAlreadyExistsException raced) {
            // Another process (the agent, or `agent history` run beside it) created it first: fine.
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                s.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL,"
                        + " kind TEXT NOT NULL, repository TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER,"
                        + " status TEXT NOT NULL, summary TEXT, report TEXT)");
                s.execute("CREATE INDEX IF NOT EXISTS runs_by_repository ON runs (repository, kind, status, started)");
                s.execute("CREATE TABLE IF NOT EXISTS fired (job TEXT PRIMARY KEY, at INTEGER NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS alerts (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            }
            return new RunStore(c);
        } catch (SQLException e) {
            throw new IOException("agent history " + file + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /**
     * For the agent, at its start only: the runs a crash or power loss left RUNNING become
     * INTERRUPTED. (Not on every open: {@code agent status} must not end the runs of a live agent.)
     */
    public synchronized void markInterrupted(Instant at) throws IOException {
        update("UPDATE runs SET status = 'INTERRUPTED', finished = ? WHERE status = 'RUNNING'", at.toEpochMilli());
    }

    /** Records a run that starts now; returns its id. */
    public synchronized long started(String job, String kind, String repository, Instant at) throws IOException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO runs (job, kind, repository, started, status) VALUES (?, ?, ?, ?, 'RUNNING')",
                Statement.RETURN_GENERATED_KEYS)) {
            p.setString(1, job);
            p.setString(2, kind);
            p.setString(3, repository);
            p.setLong(4, at.toEpochMilli());
            p.executeUpdate();
            try (ResultSet k = p.getGeneratedKeys()) {
                k.next();
                return k.getLong(1);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    public synchronized void finished(long id, Status status, Instant at, String summary, String report)
            throws IOException {
        update("UPDATE runs SET status = ?, finished = ?, summary = ?, report = ? WHERE id = ?",
                status.name(), at.toEpochMilli(), summary, report, id);
    }

    /** The newest runs first; {@code repository} and {@code kind} may be null (all). */
    public synchronized List<Run> history(int limit, String repository, String kind) throws IOException {
        StringBuilder q = new StringBuilder("SELECT * FROM runs WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (repository != null) {
            q.append(" AND repository = ?");
            args.add(repository);
        }
        if (kind != null) {
            q.append(" AND kind = ?");
            args.add(kind);
        }
        q.append(" ORDER BY started DESC, id DESC LIMIT ?");
        args.add(limit);
        return query(q.toString(), args.toArray());
    }

    /** The last run of this kind on this repository that ended with one of these statuses. */
    public synchronized Optional<Run> last(String repository, String kind, Status... statuses) throws IOException {
        StringBuilder q = new StringBuilder("SELECT * FROM runs WHERE repository = ? AND kind = ? AND status IN (");
        List<Object> args = new ArrayList<>(List.of(repository, kind));
        for (int i = 0; i < statuses.length; i++) {
            q.append(i == 0 ? "?" : ", ?");
            args.add(statuses[i].name());
        }
        q.append(") ORDER BY started DESC, id DESC LIMIT 1");
        List<Run> r = query(q.toString(), args.toArray());
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    /** Runs started since {@code since}, oldest first. */
    public synchronized List<Run> since(Instant since) throws IOException {
        return query("SELECT * FROM runs WHERE started >= ? ORDER BY started, id", since.toEpochMilli());
    }

    /** When the job's schedule last fired (handled), if ever. */
    public synchronized Optional<Instant> lastFired(String job) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT at FROM fired WHERE job = ?")) {
            p.setString(1, job);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(Instant.ofEpochMilli(r.getLong(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    public synchronized void fired(String job, Instant at) throws IOException {
        update("INSERT INTO fired (job, at) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET at = excluded.at",
                job, at.toEpochMilli());
    }

    /** A remembered value (e.g. which lapse an alert was already sent for). */
    public synchronized Optional<String> alert(String key) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM alerts WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    public synchronized void alert(String key, String value) throws IOException {
        update("INSERT INTO alerts (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key, value);
    }

    private List<Run> query(String sql, Object... args) throws IOException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bind(p, args);
            List<Run> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    long fin = r.getLong("finished");
                    boolean hasFin = !r.wasNull();
                    out.add(new Run(r.getLong("id"), r.getString("job"), r.getString("kind"), r.getString("repository"),
                            Instant.ofEpochMilli(r.getLong("started")), hasFin ? Instant.ofEpochMilli(fin) : null,
                            Status.valueOf(r.getString("status")), r.getString("summary"), r.getString("report")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private void update(String sql, Object... args) throws IOException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bind(p, args);
            p.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    private static IOException failed(SQLException e) {
        return new IOException("agent history: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            db.close();
        } catch (SQLException e) {
            throw failed(e);
        }
    }
}
