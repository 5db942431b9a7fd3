package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TestTrees;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/rempart itself, as a practice runs it: the quick start on a fresh home folder, the class
 * archives and Poly1305 choice it keeps beside the jar, --json output that no JVM line corrupts,
 * exit codes, and names that are not UTF-8. On the build's JDK and on every newer JDK this machine
 * has under /usr/lib/jvm (Rempart is built for Java 17 and must run on later releases too).
 */
class LauncherIT extends ItBase {
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    /** The test's own JDK first, then each newer one installed beside it, by real path. */
    static Stream<Path> javaHomes() throws IOException {
        Set<Path> homes = new LinkedHashSet<>();
        homes.add(Path.of(System.getProperty("java.home")).toRealPath());
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                for (Path p : s.sorted().toList()) {
                    if (Files.isExecutable(p.resolve("bin/java")) && major(p).orElse(0) > 17) {
                        homes.add(p.toRealPath());
                    }
                }
            }
        }
        return homes.stream();
    }

    private static Optional<Integer> major(Path javaHome) throws IOException {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Matcher m = VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaHomes")
    void quickStartAndEveryRunAfterItWorkOnThisJdk(Path javaHome) throws Exception {
        Launcher launcher = new Launcher(javaHome);
        Path home = tmp.resolve("home");
        Path docs = home.resolve("Documents");
        // non-UTF-8 and 255-byte names, a fifo, links: they need the launcher's --add-opens
        TestTrees.build(docs, 5, 40, 1, 300_000);
        Path repository = home.resolve(".local/share/rempart/repository");
        Path keyFile = home.resolve(".local/share/rempart/repository.key");

        // The quick start: no configuration, French, ~/Documents into a new repository.
        CommandRun first = launcher.run(home, "protect");
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("Nouveau dépôt créé dans " + repository)
                .contains("IMPORTANT : le mot de passe de ce dépôt est dans le fichier " + keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String password = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
        assertThat(first.all()).doesNotContain(password);

        // What the first run left beside the jar for the next ones.
        assertThat(launcher.kept("protect.jsa")).hasSize(1);
        List<Path> poly = launcher.kept(".poly1305");
        assertThat(poly).hasSize(1);
        assertThat(Files.readString(poly.get(0)).strip()).isIn("own", "jdk");
        assertThat(launcher.kept(".classes.")).as("class lists are removed").isEmpty();
        assertThat(launcher.kept(".tmp.")).as("archives are renamed into place").isEmpty();

        // The second run maps that archive: -Xshare:on makes a JVM that cannot map it fail.
        CommandRun second = launcher.withJavaOpts("-XX:+UseSerialGC -Xshare:on").run(home, "--json", "protect");
        assertThat(second.code()).as(second.toString()).isZero();
        List<JsonNode> lines = second.jsonLines(); // every stdout line is JSON: no JVM output among them
        JsonNode summary = lines.get(lines.size() - 1);
        assertThat(summary.path("message_type").asText()).isEqualTo("summary");
        assertThat(summary.path("files_new").asInt()).isZero();
        assertThat(summary.path("files_changed").asInt()).isZero();
        assertThat(summary.path("files_unmodified").asInt()).isPositive();
        assertThat(second.err()).doesNotContain("IMPORTANT"); // the key warning is for the run that made the key

        // restic reads what the launcher wrote, and both restores give the folder back.
        Restic r = new Restic(repository, password);
        r.run("check", "--read-data").assertOk();
        Path byRestic = tmp.resolve("by-restic");
        r.run("restore", "latest", "--target", byRestic.toString()).assertOk();
        assertThat(resticDiff(docs, within(byRestic, docs))).isEmpty();
        Path byRempart = tmp.resolve("by-rempart");
        for (int i = 0; i < 2; i++) { // recorded, then through its archive
            Files.createDirectories(byRempart);
            CommandRun restore = launcher.run(home, "-r", repository.toString(), "--password-file", keyFile.toString(),
                    "restore", "latest", "--target", byRempart.toString());
            assertThat(restore.code()).as(restore.toString()).isZero();
            assertThat(TreeCompare.diff(docs, within(byRempart, docs))).isEmpty();
            deleteTree(byRempart);
        }

        // A failure keeps its exit code and its French explanation, recorded or mapped.
        Path wrong = Files.writeString(tmp.resolve("wrong-password"), "not the password\n");
        for (int i = 0; i < 2; i++) {
            CommandRun denied = launcher.run(home, "-r", repository.toString(), "--password-file", wrong.toString(),
                    "snapshots");
            assertThat(denied.code()).as(denied.toString()).isNotZero();
            assertThat(denied.err()).contains("mot de passe incorrect");
            assertThat(denied.out()).isEmpty();
        }
        assertThat(launcher.kept("snapshots.jsa")).hasSize(1);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A copy of bin/ beside a link to the packaged jar, so that the archives it writes stay in the
     * test's folder, and a first run there is always a first run.
     */
    private final class Launcher {
        private final Path javaHome;
        private final Path script;
        private final Path target;
        private final String javaOpts;

        Launcher(Path javaHome) throws IOException {
            this(javaHome, tmp.resolve("install"), null);
            Path jar = Path.of(System.getProperty("rempart.jar")).toAbsolutePath();
            Path bin = jar.getParent().getParent().getParent().resolve("bin");
            Files.createDirectories(script.getParent());
            Files.copy(bin.resolve("rempart"), script, StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(bin.resolve("rempart-jit.json"), script.resolveSibling("rempart-jit.json"));
            Files.createDirectories(target);
            Files.createSymbolicLink(target.resolve("rempart.jar"), jar);
        }

        private Launcher(Path javaHome, Path install, String javaOpts) {
            this.javaHome = javaHome;
            this.script = install.resolve("bin/rempart");
            this.target = install.resolve("rempart-cli/target");
            this.javaOpts = javaOpts;
        }

        Launcher withJavaOpts(String opts) {
            return new Launcher(javaHome, script.getParent().getParent(), opts);
        }

        /** The files the launcher keeps beside the jar whose names contain {@code part}. */
        List<Path> kept(String part) throws IOException {
            try (Stream<Path> s = Files.list(target)) {
                return s.filter(p -> p.getFileName().toString().contains(part)).toList();
            }
        }

        /** Runs bin/rempart with a home folder and no Rempart settings but those given. */
        CommandRun run(Path home, String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(script.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
            Map<String, String> e = pb.environment();
            e.keySet().removeIf(k -> k.startsWith("REMPART_") || k.startsWith("RESTIC_") || k.startsWith("XDG_")
                    || k.equals("TMPDIR"));
            e.put("HOME", home.toString());
            e.put("JAVA_HOME", javaHome.toString());
            if (javaOpts != null) {
                e.put("REMPART_JAVA_OPTS", javaOpts);
            }
            Path out = Files.createTempFile(tmp.resolve("scratch"), "out", ".txt");
            Path err = Files.createTempFile(tmp.resolve("scratch"), "err", ".txt");
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + cmd);
            }
            return new CommandRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }
    }
}
