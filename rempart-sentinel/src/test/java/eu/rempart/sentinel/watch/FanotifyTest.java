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
            public void overflow() {
            }
        }));
        t1.start();
        t2.start();
        try {
            Process p = new ProcessBuilder("sh", "-c", "echo x > a.txt && echo y > c.txt && mv a.txt b.txt && rm b.txt")
                    .directory(dir.toFile()).start();
            assertThat(p.waitFor()).isZero();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(seen).as(seen.toString()).containsKeys("name a.txt", "name b.txt");
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
