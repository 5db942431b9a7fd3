package eu.rempart.bench;

import eu.rempart.vault.chunker.Chunker;
import eu.rempart.vault.chunker.Polynomial;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunker throughput over 64 MiB of random data. Each invocation splits the whole buffer, so
 * MB/s = 64 MiB / (seconds per op); the score is reported in ms/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ChunkerBench {
    static final int SIZE = 64 * 1024 * 1024;

    private byte[] data;
    private Chunker chunker;

    @Setup
    public void setup() {
        data = new byte[SIZE];
        SplittableRandom r = new SplittableRandom(23);
        for (int i = 0; i < SIZE; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++, v >>>= 8) {
                data[i + j] = (byte) v;
            }
        }
        chunker = new Chunker(Polynomial.parse("3da3358b4dc173"));
    }

    @Benchmark
    public long split64MiB() throws IOException {
        chunker.reset(new ByteArrayInputStream(data));
        long sum = 0;
        for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
            sum += c.length;
        }
        return sum;
    }
}
