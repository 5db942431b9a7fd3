package eu.rempart.sentinel.contain;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** kill(2) without forking a process: containment must act within milliseconds. */
final class Signals {
    static final int SIGKILL = 9;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;
    static final int ESRCH = 3;

    private static final boolean AVAILABLE;

    static {
        boolean ok = false;
        try {
            if (Platform.isLinux()) {
                Native.register(Signals.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
                ok = true;
            }
        } catch (Throwable t) { // no native support: fall back to the kill command
            ok = false;
        }
        AVAILABLE = ok;
    }

    private Signals() {
    }

    static native int kill(int pid, int signal) throws LastErrorException;

    static native int tgkill(int pid, int tid, int signal) throws LastErrorException;

    /**
     * Stops a process now. kill(2) wakes one thread to carry out the group stop, usually the
     * process's first thread, which in a JVM or any threaded program sleeps; on a busy machine it
     * waits milliseconds for a core while the thread doing the damage goes on (a renaming attack
     * did 20 more files). So each thread is also sent the stop: a running one is interrupted and
     * stops the whole process at once.
     */
    static String stop(long pid) {
        String error = send(pid, SIGSTOP);
        if (error == null) {
            toEachThread(pid, SIGSTOP);
        }
        return error;
    }

    /** Loads what {@link #stop} uses, with signal 0 (a permission check that delivers nothing). */
    static void prepare(long self) {
        send(self, 0);
        toEachThread(self, 0);
    }

    private static void toEachThread(long pid, int signal) {
        if (!AVAILABLE) {
            return;
        }
        try (java.nio.file.DirectoryStream<java.nio.file.Path> tasks =
                     java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
            for (java.nio.file.Path t : tasks) {
                int tid = Integer.parseInt(t.getFileName().toString());
                if (tid != pid) {
                    try {
                        tgkill((int) pid, tid, signal);
                    } catch (LastErrorException e) {
                        // that thread ended
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no /proc: the process-wide signal still stops it
        }
    }

    /** Sends the signal; returns null on success or the reason it failed. */
    static String send(long pid, int signal) {
        if (AVAILABLE) {
            try {
                kill((int) pid, signal);
                return null;
            } catch (LastErrorException e) {
                return e.getErrorCode() == ESRCH ? "process gone" : "errno " + e.getErrorCode();
            }
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? null : out;
        } catch (java.io.IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
