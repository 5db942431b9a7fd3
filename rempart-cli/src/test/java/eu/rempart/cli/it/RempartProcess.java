package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code rempart.jar} as a separate JVM, the way bin/rempart does, with its own
 * environment. Output goes to files rather than pipes so a chatty process can never block on a
 * full pipe while the test waits for it.
 */
final class RempartProcess {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path jar;
    private final Map<String, String> env;
    private final Path scratch;
    /** Prepended to the java command line, e.g. setpriv to drop capabilities. */
    private List<String> wrapper = List.of();

    RempartProcess(Map<String, String> env, Path scratch) {
        String p = System.getProperty("rempart.jar");
        if (p == null || !Files.isRegularFile(Path.of(p))) {
            throw new IllegalStateException("system property rempart.jar must name the packaged jar, got " + p);
        }
        this.jar = Path.of(p);
        this.env = env;
        this.scratch = scratch;
    }

    RempartProcess wrappedIn(List<String> prefix) {
        RempartProcess r = new RempartProcess(env, scratch);
        r.wrapper = List.copyOf(prefix);
        return r;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+UseParallelGC", "--add-opens", "java.base/sun.nio.fs=ALL-UNNAMED",
                "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private ProcessBuilder builder(List<String> cmd, Path out, Path err) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // only what the test decides: no REMPART_* leaking in from the developer's shell
        pb.environment().keySet().removeIf(k -> k.startsWith("REMPART_") || k.startsWith("RESTIC_"));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        return pb;
    }

    CommandRun run(String... args) throws IOException, InterruptedException {
        return runCommand(command(args));
    }

    CommandRun runCommand(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        try {
            Process p = builder(cmd, out, err).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + cmd);
            }
            return new CommandRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts rempart without waiting; stdout and stderr go to the given files. */
    Process start(Path out, Path err, String... args) throws IOException {
        return builder(command(args), out, err).start();
    }
}
