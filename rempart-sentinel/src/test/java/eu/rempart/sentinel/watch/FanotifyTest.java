package eu.rempart.sentinel.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** fanotify reports who writes, renames and deletes, with the real kernel (root only). */
class FanotifyTest {
    @TempDir
    Path dir;

    @Test
    void writesRenamesAndDeletionsNameTheirProcess() throws Exception {
        Fanotify writes = Fanotify.open(new String[1]);
        assumeTrue(writes != null, "fanotify needs root");
        Fanotify names = Fanotify.openNames();
        assertThat(names).isNotNull();
        Map<String, Long> seen = new ConcurrentHashMap<>();
        writes.mark(dir);
        names.mark(dir);
        Thread t1 = new Thread(() -> writes.loop(new Fanotify.Sink() {
            @Override
            public void write(Fanotify.Write w) {
                seen.put("write " + w.file().getFileName(), w.pid());
            }

            @Override
            public void overflow() {
            }
        }));
        Thread t2 = new Thread(() -> names.loop(new Fanotify.Sink() {
            @Override
            public void write(Fanotify.Write w) {
            }

            @Override
            public void named(String name, long pid) {
                seen.put("name " + name, pid);
            }

            @Override
            public void renamed(Path from, Path to, long pid) {
                seen.put("renamed " + from + " -> " + to, pid);
            }

            @Override
            public void overflow() {
            }
        }));
        t1.start();
        t2.start();
        try {
            Files.createDirectory(dir.resolve("sub"));
            names.mark(dir.resolve("sub"));
            Process p = new ProcessBuilder("sh", "-c", "echo x > a.txt && echo y > c.txt && mv a.txt b.txt && rm b.txt"
                    + " && mv c.txt sub/c.txt.k3x && echo z > d.txt")
                    .directory(dir.toFile()).start();
            assertThat(p.waitFor()).isZero();
            String rename = "renamed " + dir.resolve("a.txt") + " -> " + dir.resolve("b.txt");
            String move = "renamed " + dir.resolve("c.txt") + " -> " + dir.resolve("sub/c.txt.k3x");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!(seen.containsKey("write c.txt") && seen.containsKey(move) && seen.containsKey("name d.txt"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(seen).as(seen.toString()).containsKeys("name a.txt", "name b.txt", "name d.txt");
            // Linux 5.17+: one event with both full paths, from the process that renamed
            assertThat(seen).containsKeys(rename, move);
            assertThat(seen.get(rename)).isEqualTo(seen.get("name a.txt"));
            assertThat(seen).containsKey("write c.txt");
            // the shell's children did the work: pids other than ours
            assertThat(seen.values()).doesNotContain(ProcessHandle.current().pid());
        } finally {
            writes.close();
            names.close();
            t1.join();
            t2.join();
            writes.release();
            names.release();
        }
    }
}
