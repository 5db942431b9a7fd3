package eu.rempart.vault.repository;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.testing.Restic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming write path: packs through temporary files, compression decisions, restic's view. */
class RepositoryWriteTest {
    static final String PASSWORD = "write-test";

    @TempDir
    Path tmp;

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] text(int n) {
        byte[] b = new byte[n];
        byte[] line = "Patient record: appointment confirmed, invoice sent.\n".getBytes();
        for (int i = 0; i < n; i++) {
            b[i] = line[i % line.length];
        }
        return b;
    }

    @Test
    void blobsAreCompressedOnlyWhenItPaysAndResticReadsEverything() throws Exception {
        Path dir = tmp.resolve("repo");
        byte[] incompressible = random(1, 3 << 20);
        byte[] compressible = text(2 << 20);
        // Random data with a compressible stretch in the middle: the samples must notice it.
        byte[] mixed = random(2, 3 << 20);
        System.arraycopy(text(1 << 20), 0, mixed, 1 << 20, 1 << 20);
        byte[] small = text(1000);
        List<byte[]> blobs = List.of(incompressible, compressible, mixed, small);
        try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(),
                null, "test", "host")) {
            repo.setPackSize(1 << 20); // several packs, finished in the background
            for (byte[] b : blobs) {
                // A slice of a larger buffer, as the archiver hands chunks over in place.
                byte[] framed = new byte[b.length + 20];
                System.arraycopy(b, 0, framed, 7, b.length);
                assertThat(repo.saveBlob(BlobType.DATA, Id.hash(b), framed, 7, b.length)).isTrue();
                assertThat(repo.saveBlob(BlobType.DATA, Id.hash(b), b)).as("deduplicated").isFalse();
            }
            repo.flush();
            PackedBlob pi = repo.index().lookup(BlobType.DATA, Id.hash(incompressible));
            assertThat(pi.compressed()).isFalse();
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(compressible)).compressed()).isTrue();
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(mixed)).compressed()).isTrue();
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(small)).compressed()).isTrue();
            for (byte[] b : blobs) {
                assertThat(repo.loadBlob(BlobType.DATA, Id.hash(b))).isEqualTo(b);
                BlobData shared = repo.loadBlobShared(BlobType.DATA, Id.hash(b));
                assertThat(Arrays.equals(shared.array(), shared.offset(), shared.offset() + shared.length(), b, 0, b.length)).isTrue();
            }
        }
        // No temporary file is left, and packs are read-only.
        try (Stream<Path> s = Files.walk(dir.resolve("data"))) {
            List<Path> files = s.filter(Files::isRegularFile).toList();
            assertThat(files).isNotEmpty().allSatisfy(f -> {
                assertThat(f.getFileName().toString()).matches("[0-9a-f]{64}");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("r--------");
            });
        }
        if (Restic.available()) {
            Restic restic = new Restic(dir, PASSWORD);
            restic.run("check", "--read-data").assertOk();
            String listed = restic.run("list", "blobs").assertOk().out();
            for (byte[] b : blobs) {
                assertThat(listed).contains("data " + Id.hash(b).toHex());
            }
        }
        // Reopened: the same blobs, the same compression decisions.
        try (Repository repo = Repository.open(new LocalBackend(dir), PASSWORD.toCharArray())) {
            repo.loadIndex();
            for (byte[] b : blobs) {
                assertThat(repo.loadBlob(BlobType.DATA, Id.hash(b))).isEqualTo(b);
            }
        }
    }

    /**
     * A consuming save seals an uncompressed blob where it lies when the caller left room for the
     * nonce and the MAC, and copies otherwise; either way the blob reads back and restic checks it.
     */
    @Test
    void consumingSavesSealUncompressedBlobsInPlace() throws Exception {
        Path dir = tmp.resolve("repo");
        byte[] incompressible = random(4, 3 << 20);
        byte[] withoutRoom = random(5, 1 << 20);
        byte[] compressible = text(1 << 20);
        int before = 16, after = 16;
        try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(),
                null, "test", "host")) {
            repo.setPackSize(1 << 20);
            byte[] framed = new byte[before + incompressible.length + after];
            System.arraycopy(incompressible, 0, framed, before, incompressible.length);
            assertThat(repo.saveBlob(BlobType.DATA, Id.hash(incompressible), framed, before,
                    incompressible.length)).isTrue();
            // Sealed in place: the array now holds the nonce, the ciphertext and the MAC.


            // One byte short of the MAC's room: copied to the thread's buffer, the array left as it was.
            byte[] tight = new byte[before + withoutRoom.length + after - 1];
            System.arraycopy(withoutRoom, 0, tight, before, withoutRoom.length);
            byte[] tightBefore = tight.clone();
            assertThat(repo.saveBlob(BlobType.DATA, null, tight, before, withoutRoom.length)).isTrue();
            assertThat(tight).isEqualTo(tightBefore);

            byte[] framedText = new byte[before + compressible.length + after];
            System.arraycopy(compressible, 0, framedText, before, compressible.length);
            assertThat(repo.saveBlob(BlobType.DATA, Id.hash(compressible), framedText, before,
                    compressible.length)).isTrue();
            assertThat(repo.saveBlob(BlobType.DATA, Id.hash(compressible), framedText, before,
                    compressible.length)).as("deduplicated").isFalse();
            repo.flush();
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(incompressible)).compressed()).isFalse();
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(compressible)).compressed()).isTrue();
            for (byte[] b : List.of(incompressible, withoutRoom, compressible)) {
                assertThat(repo.loadBlob(BlobType.DATA, Id.hash(b))).isEqualTo(b);
            }
        }
        if (Restic.available()) {
            new Restic(dir, PASSWORD).run("check", "--read-data").assertOk();
        }
    }

    /**
     * A compressed blob read from a pack is decompressed in place, in the buffer it was read to
     * (see {@link Repository#loadBlobShared(PackedBlob)}). The hard cases for zstd's in-place
     * margin, a start that compresses to almost nothing followed by incompressible bytes, up to
     * the largest chunk, between uncompressed blobs, read one after another on one thread as a
     * restoring thread does. (restic's raw-block frames, larger than their plaintext, are read in
     * {@code ResticInteropTest}.)
     */
    @Test
    void compressedBlobsAreDecompressedWhereTheyAreRead() throws Exception {
        int max = eu.rempart.vault.chunker.Chunker.MAX_SIZE;
        byte[] zerosThenRandom = new byte[max];
        System.arraycopy(random(6, max / 2), 0, zerosThenRandom, max / 2, max / 2);
        byte[] textThenRandom = text(max);
        System.arraycopy(random(7, max - 4096), 0, textThenRandom, 4096, max - 4096);
        byte[] random = random(8, max);
        byte[] oneByte = {42};
        List<byte[]> blobs = List.of(zerosThenRandom, text(max), random, oneByte, textThenRandom, random(9, 700_001),
                text(3 << 20));
        try (Repository repo = Repository.init(new LocalBackend(tmp.resolve("repo")), PASSWORD.toCharArray(),
                KdfParams.forTests(), null, "test", "host")) {
            for (byte[] b : blobs) {
                repo.saveBlob(BlobType.DATA, null, b);
            }
            repo.flush();
            for (int round = 0; round < 2; round++) {
                for (byte[] b : blobs) {
                    BlobData d = repo.loadBlobShared(repo.index().lookup(BlobType.DATA, Id.hash(b)));
                    assertThat(d.length()).isEqualTo(b.length);
                    assertThat(Arrays.equals(d.array(), d.offset(), d.offset() + d.length(), b, 0, b.length))
                            .as("blob of %d bytes", b.length).isTrue();
                }
            }
            for (byte[] b : List.of(zerosThenRandom, textThenRandom)) {
                assertThat(repo.index().lookup(BlobType.DATA, Id.hash(b)).compressed()).isTrue();
            }
            assertThat(repo.index().lookup(BlobType.DATA, Id.hash(random)).compressed()).isFalse();
        }
    }

    @Test
    void compressionOffAndMaxAreObeyed() throws Exception {
        byte[] compressible = text(300_000);
        for (Compression c : Compression.values()) {
            Path dir = tmp.resolve("repo-" + c);
            try (Repository repo = Repository.init(new LocalBackend(dir), PASSWORD.toCharArray(), KdfParams.forTests(),
                    null, "test", "host")) {
                repo.setCompression(c);
                repo.saveBlob(BlobType.DATA, null, compressible);
                repo.saveBlob(BlobType.DATA, null, random(3, 300_000));
                repo.flush();
                assertThat(repo.index().lookup(BlobType.DATA, Id.hash(compressible)).compressed())
                        .isEqualTo(c != Compression.OFF);
                // max compresses even what auto's samples call incompressible (zstd then stores it raw if larger)
                assertThat(repo.loadBlob(BlobType.DATA, Id.hash(compressible))).isEqualTo(compressible);
            }
        }
    }

    @Test
    void pendingFilesAreInvisibleUntilCommittedAndVanishWhenAbandoned() throws Exception {
        LocalBackend be = new LocalBackend(tmp.resolve("b"));
        be.create();
        byte[] content = random(4, 700_000);
        String name = Id.hash(content).toHex();
        try (Backend.PendingFile f = be.create(FileType.PACK)) {
            f.write(content, 0, 300_000);
            f.write(content, 300_000, content.length - 300_000);
            assertThat(f.size()).isEqualTo(content.length);
            assertThat(be.list(FileType.PACK)).isEmpty();
            f.commit(name);
        }
        assertThat(be.list(FileType.PACK)).containsExactly(new Backend.FileInfo(name, content.length));
        byte[] part = new byte[1000];
        be.read(FileType.PACK, name, 654_321, part, 0, 1000);
        assertThat(part).isEqualTo(Arrays.copyOfRange(content, 654_321, 655_321));
        assertThatThrownBy(() -> be.read(FileType.PACK, name, content.length - 10, part, 0, 1000))
                .isInstanceOf(java.io.EOFException.class);
        try (Backend.PendingFile f = be.create(FileType.PACK)) {
            f.write(content, 0, 10);
            // abandoned: closed without commit
        }
        try (Backend.PendingFile f = be.create(FileType.PACK)) {
            f.write(content, 0, content.length);
            assertThatThrownBy(() -> f.commit(name)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        }
        // A killed writer's file: removed once old enough, kept while it may still be written.
        try (Backend.PendingFile f = be.create(FileType.PACK)) {
            f.write(content, 0, 10);
            Path tmpFile;
            try (Stream<Path> s = Files.list(tmp.resolve("b/data"))) {
                tmpFile = s.filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            assertThat(be.removeAbandoned(java.time.Duration.ofHours(1))).isZero();
            Files.setLastModifiedTime(tmpFile, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() - java.time.Duration.ofHours(2).toMillis()));
            assertThat(be.removeAbandoned(java.time.Duration.ofHours(1))).isEqualTo(1);
        }
        List<String> left = new ArrayList<>();
        try (Stream<Path> s = Files.walk(tmp.resolve("b/data"))) {
            s.filter(Files::isRegularFile).forEach(p -> left.add(p.getFileName().toString()));
        }
        assertThat(left).containsExactly(name);
    }
}
