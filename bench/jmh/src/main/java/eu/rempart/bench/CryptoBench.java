package eu.rempart.bench;

import eu.rempart.vault.crypto.MasterKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Seal and open of restic-format blobs (AES-256-CTR + Poly1305-AES). Throughput in MB/s is
 * {@code size / score}; restic's Go implementation is the reference to beat.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CryptoBench {
    @Param({"1048576"})
    int size;

    private MasterKey key;
    private byte[] plaintext;
    private byte[] sealed;

    @Setup
    public void setup() {
        key = MasterKey.generate();
        plaintext = new byte[size];
        new Random(42).nextBytes(plaintext);
        sealed = key.seal(plaintext);
    }

    @Benchmark
    public byte[] seal() {
        return key.seal(plaintext);
    }

    @Benchmark
    public byte[] open() {
        return key.open(sealed);
    }
}
