package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.vault.copier.Copier;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import eu.rempart.vault.snapshot.Snapshot;
import eu.rempart.vault.snapshot.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

@Command(name = "copy", description = "copy snapshots from another repository into this one (only what is missing)")
final class CopyCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--from-repo", paramLabel = "REPO", description = "source repository (default: $REMPART_FROM_REPOSITORY)")
    String fromRepo;

    @Option(names = "--from-password-file", paramLabel = "FILE",
            description = "its password (default: $REMPART_FROM_PASSWORD_FILE, then $REMPART_FROM_PASSWORD)")
    Path fromPasswordFile;

    @Mixin
    SnapshotFilter filter = new SnapshotFilter();

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*", description = "snapshots to copy (default: all)")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (Repository src = cli.openFrom(fromRepo, fromPasswordFile); Lock srcLock = cli.lockAndLoadIndex(src);
                Repository dst = cli.open(); Lock dstLock = cli.lockAndLoadIndex(dst)) {
            Predicate<Snapshot> f = filter.predicate();
            List<Snapshot> selected = new ArrayList<>();
            Snapshots.Listing listing = cli.snapshots(src);
            if (ids.isEmpty()) {
                listing.snapshots().stream().filter(f).forEach(selected::add);
            } else {
                for (String id : ids) {
                    selected.add(listing.find(id, f));
                }
            }
            Copier.Result r;
            try (Painter painter = new Painter(cli)) {
                r = Copier.copy(src, dst, selected, painter);
            }
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("message_type", "summary");
                ArrayNode copied = n.putArray("copied");
                for (Copier.Copied c : r.copied()) {
                    copied.addObject().put("source", c.source().toHex()).put("copy", c.copy().toHex());
                }
                ArrayNode skipped = n.putArray("skipped");
                r.skipped().forEach(id -> skipped.add(id.toHex()));
                n.put("blobs_copied", r.blobs());
                n.put("bytes_copied", r.bytes());
                cli.printJson(n);
            } else {
                for (Copier.Copied c : r.copied()) {
                    cli.say("copy.copied", c.source().shortHex(), c.copy().shortHex());
                }
                cli.say("copy.summary", r.copied().size(), r.skipped().size(), r.blobs(),
                        cli.msg().bytes(r.bytes()));
            }
        }
        return ExitCodes.OK;
    }

    /**
     * The copy's progress on one line of a terminal's stderr, at most four times a second: the
     * snapshot under way, blobs and bytes copied. No total or time left: what the destination lacks
     * is only known as the trees are walked.
     */
    private static final class Painter implements Copier.Progress, AutoCloseable {
        private final Cli cli;
        private final boolean painting;
        private final long start = System.nanoTime();
        private long painted = start;
        private boolean shown;
        private int snapshot;
        private int snapshots;

        Painter(Cli cli) {
            this.cli = cli;
            this.painting = cli.interactive();
        }

        @Override
        public void snapshot(int n, int total) {
            snapshot = n;
            snapshots = total;
        }

        @Override
        public void copied(long blobs, long bytes) {
            long now = System.nanoTime();
            if (painting && (!shown || now - painted > 250_000_000L)) {
                painted = now;
                shown = true;
                String elapsed = Messages.duration(java.time.Duration.ofNanos(now - start));
                cli.err.print("\r" + cli.msg().get("copy.progress", elapsed, snapshot, snapshots, blobs,
                        cli.msg().bytes(bytes)) + "\u001b[K");
                cli.err.flush();
            }
        }

        @Override
        public void close() {
            if (shown) {
                cli.err.print("\r\u001b[K");
                cli.err.flush();
            }
        }
    }
}
