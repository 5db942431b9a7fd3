package eu.rempart.vault.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real restic binary against a repository. */
public final class Restic {
    public static final Path BINARY = Path.of("/usr/bin/restic");

    private final String repo;
    private final String password;
    private java.util.Map<String, String> env = java.util.Map.of();
    private Path dir;

    public Restic(Path repo, String password) {
        this(repo.toString(), password);
    }

    /** @param repo any location restic takes, e.g. {@code rest:http://127.0.0.1:8000/r/} */
    public Restic(String repo, String password) {
        this.repo = repo;
        this.password = password;
    }

    /** The same, with these environment variables (e.g. S3 credentials). */
    public Restic withEnv(java.util.Map<String, String> vars) {
        Restic r = new Restic(repo, password);
        r.env = java.util.Map.copyOf(vars);
        r.dir = dir;
        return r;
    }

    /** The same, run in this working directory (for relative backup targets). */
    public Restic in(Path workingDirectory) {
        Restic r = withEnv(env);
        r.dir = workingDirectory;
        return r;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public record Result(int exit, String out, String err) {
        public Result assertOk() {
            if (exit != 0) {
                throw new AssertionError("restic failed (" + exit + "):\n" + out + "\n" + err);
            }
            return this;
        }
    }

    public Result run(String... args) throws IOException, InterruptedException {
        Raw r = runRaw(args);
        return new Result(r.exit, new String(r.out, StandardCharsets.UTF_8), r.err);
    }

    /** Standard output byte for byte (an archive {@code dump} writes); fails unless restic exits with 0. */
    public byte[] output(String... args) throws IOException, InterruptedException {
        Raw r = runRaw(args);
        new Result(r.exit, "", r.err).assertOk();
        return r.out;
    }

    private record Raw(int exit, byte[] out, String err) {
    }

    private Raw runRaw(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.add("-r");
        cmd.add(repo);
        cmd.add("--no-cache");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("RESTIC_PASSWORD", password);
        pb.environment().remove("RESTIC_REPOSITORY");
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Path out = Files.createTempFile("restic-out", ".txt");
        Path err = Files.createTempFile("restic-err", ".txt");
        try {
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("restic timed out: " + cmd);
            }
            return new Raw(p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
