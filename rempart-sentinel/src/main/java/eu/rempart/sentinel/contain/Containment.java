package eu.rempart.sentinel.contain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Stops the processes behind an attack. Suspending (SIGSTOP) is the default: the process keeps its
 * encryption key in memory for investigators and can be resumed if the alert was wrong; killing is an
 * option. Linux only for now; on Windows the same role falls to NtSuspendProcess / TerminateProcess.
 */
public final class Containment {
    /** What to do with the processes found. */
    public enum Mode { SUSPEND, KILL, NONE }

    /** What was done to one process. */
    public record ProcessAction(long pid, String commandLine, String action, String error) {
    }

    private static final long SELF = ProcessHandle.current().pid();

    private Containment() {
    }

    /** Suspends or kills each process (never this one, nor pid 1); returns what happened to each. */
    public static List<ProcessAction> contain(Collection<Long> pids, Mode mode) {
        List<ProcessAction> done = new ArrayList<>();
        for (long pid : new LinkedHashSet<>(pids)) {
            if (pid <= 1 || pid == SELF) {
                continue;
            }
            if (mode == Mode.NONE) {
                done.add(new ProcessAction(pid, commandLine(pid), "none", null));
                continue;
            }
            // suspended first, described after: a stopped process keeps its /proc entry
            String cmd = mode == Mode.SUSPEND ? null : commandLine(pid);
            String error = mode == Mode.KILL ? Signals.send(pid, Signals.SIGKILL) : Signals.stop(pid);
            done.add(new ProcessAction(pid, cmd != null ? cmd : commandLine(pid),
                    error == null ? (mode == Mode.KILL ? "killed" : "suspended") : "failed", error));
        }
        return done;
    }

    /**
     * Loads and links everything containment uses (JNA binding, /proc reading) so that the first
     * alert does not pay for it: milliseconds matter when files are encrypted by the hundred.
     */
    public static void prepare() {
        Signals.prepare(SELF);
        commandLine(SELF);
        contain(List.of(SELF), Mode.NONE);
    }

    /** Resumes a suspended process (after a false alarm). */
    public static boolean resume(long pid) {
        return Signals.send(pid, Signals.SIGCONT) == null;
    }

    /**
     * Processes holding one of these files, or a directory under these folders, open (Linux
     * {@code /proc/PID/fd}); used when no write was attributed to a process (renames, or no fanotify).
     */
    public static Set<Long> holders(Collection<Path> files, Collection<Path> folders) {
        Set<Long> found = new LinkedHashSet<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return found;
        }
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc)) {
            for (Path p : pids) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == SELF) {
                    continue;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        Path target;
                        try {
                            target = Files.readSymbolicLink(fd);
                        } catch (IOException | UnsupportedOperationException e) {
                            continue;
                        }
                        // folders count only as open directories (a walk in progress), not as files a database keeps open
                        if (files.contains(target)
                                || (folders.stream().anyMatch(target::startsWith) && Files.isDirectory(target))) {
                            found.add(pid);
                            break;
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // gone, or not ours to see
                }
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    /** The process's command line with NULs as spaces, or "" when it is gone. */
    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
        }
    }
}
