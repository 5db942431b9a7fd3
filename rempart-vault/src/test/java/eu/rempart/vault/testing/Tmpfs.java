package eu.rempart.vault.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small tmpfs mounted by a test (root only), to fill a disk for real. */
public final class Tmpfs {
    private Tmpfs() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. "48m") at {@code dir}; false if not permitted. */
    public static boolean mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return m.waitFor() == 0;
    }

    public static void unmount(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
    }
}
