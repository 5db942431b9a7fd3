package eu.rempart.cli;

/**
 * The steps of a long command named on stdout, as restic does, and a "done / total" counter on a
 * terminal's stderr (nothing when piped, with --json or --quiet).
 */
final class StepCounter {
    private final Cli cli;
    private final boolean counting;
    private long done;
    private long total;
    private long painted;

    StepCounter(Cli cli) {
        this.cli = cli;
        this.counting = cli.interactive();
    }

    /** A step starts: its message ({@code key} with {@code total} as argument), then its counter. */
    void step(String key, long total) {
        clear();
        cli.say(key, total);
        synchronized (this) {
            this.done = 0;
            this.total = total;
        }
    }

    synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (counting && total > 0 && (now - painted > 100_000_000L || done == total)) {
            painted = now;
            cli.err.print("\r" + cli.msg().get("prune.progress", done, total) + "\u001b[K");
            cli.err.flush();
        }
    }

    synchronized void clear() {
        if (counting && painted != 0) {
            cli.err.print("\r\u001b[K");
            cli.err.flush();
            painted = 0;
        }
    }
}
