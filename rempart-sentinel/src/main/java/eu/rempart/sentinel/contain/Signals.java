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
