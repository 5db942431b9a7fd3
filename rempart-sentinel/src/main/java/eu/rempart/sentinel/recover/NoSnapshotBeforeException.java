package eu.rempart.sentinel.recover;

import java.io.IOException;
import java.time.Instant;

/** No snapshot of the host covering the requested paths was taken before the given time. */
public final class NoSnapshotBeforeException extends IOException {
    private final transient Instant since;

    public NoSnapshotBeforeException(Instant since) {
        super("no snapshot taken before " + since + " covers the requested paths");
        this.since = since;
    }

    public Instant since() {
        return since;
    }
}
