package eu.rempart.vault.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Rough per-file cost of lstat and xattr reading (not a test: no timing assertions belong in
 * tests). Run with the test classpath and --add-opens java.base/sun.nio.fs=ALL-UNNAMED.
 */
final class LstatCost {
    interface Op {
        Object apply(Path p) throws IOException;
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("lstat-cost");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("f" + i);
            Files.write(f, new byte[i % 100]);
            files.add(f);
        }
        System.out.println("raw byte names via sun.nio.fs: " + FileNames.rawBytesSupported());
        String[] labels = {"jdk basic attrs (baseline)", "lstat (UnixFileAttributes)", "lstat (unix: map)",
            "readXattrs (none present)"};
        Op[] ops = {p -> Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS),
            FileSystemAccess::lstat, FileSystemAccess::lstatViaMap, FileSystemAccess::readXattrs};
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 20; round++) { // best of 20: the machine is shared and noisy
            for (int i = 0; i < ops.length; i++) {
                best[i] = Math.min(best[i], time(files, ops[i]));
            }
        }
        for (int i = 0; i < ops.length; i++) {
            System.out.printf("%-28s %6.2f us/file (best of 20 passes over %d files)%n", labels[i], best[i], n);
        }
        for (Path f : files) {
            Files.delete(f);
        }
        Files.delete(dir);
    }

    private static double time(List<Path> files, Op op) throws IOException {
        long sink = 0;
        long t0 = System.nanoTime();
        for (Path p : files) {
            sink += op.apply(p).hashCode();
        }
        long ns = System.nanoTime() - t0;
        if (sink == 42) {
            System.out.print(""); // keeps the results alive for the JIT
        }
        return ns / 1000.0 / files.size();
    }
}
