package eu.rempart.vault.repository;

import eu.rempart.vault.BlobType;
import eu.rempart.vault.Id;
import eu.rempart.vault.VaultException;
import eu.rempart.vault.backend.local.LocalBackend;
import eu.rempart.vault.crypto.KdfParams;
import eu.rempart.vault.crypto.MasterKey;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.testing.PackFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Large uncompressed blobs are read, decrypted and hashed a segment at a time ({@link
 * Repository#streamBlob}, {@link Repository#verifyBlob}): the plaintext comes out whole and
 * right wherever the segment boundaries fall (in the nonce's segment, across the MAC, right
 * after it), and a damaged blob fails after its pieces went out.
 */
class BlobStreamTest {
    private static final int SEG = Repository.SEGMENT;
    private static final int OVERHEAD = MasterKey.OVERHEAD;

    @TempDir
    Path tmp;

    /** Sealed lengths around segment boundaries, and a large chunk; plaintext = sealed - 32. */
    private static final int[] SEALED = {
        SEG + 1,            // the MAC's last byte alone in the second segment
        SEG + 16,           // the MAC alone in the second segment
        SEG + 17,           // one byte of ciphertext, then the MAC
        2 * SEG,            // ends on a boundary
        3 * SEG + 8,        // the MAC across the boundary, half and half
        8 << 20,            // the largest chunk
    };

    @Test
    void largeBlobsStreamInSegmentsWhereverTheBoundariesFall() throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < SEALED.length; i++) {
            blobs.add(RepositoryWriteTest.random(100 + i, SEALED[i] - OVERHEAD));
        }
        byte[] small = RepositoryWriteTest.random(99, 5000);
        byte[] text = RepositoryWriteTest.text(3 << 20);
        try (Repository repo = Repository.init(new LocalBackend(tmp.resolve("repo")),
                RepositoryWriteTest.PASSWORD.toCharArray(), KdfParams.forTests(), null, "test", "host")) {
            for (byte[] b : blobs) {
                repo.saveBlob(BlobType.DATA, null, b);
            }
            repo.saveBlob(BlobType.DATA, null, small);
            repo.saveBlob(BlobType.DATA, null, text);
            repo.flush();
            for (byte[] b : blobs) {
                PackedBlob pb = repo.index().lookup(BlobType.DATA, Id.hash(b));
                assertThat(pb.compressed()).isFalse();
                assertThat(pb.length()).isEqualTo(b.length + OVERHEAD);
                List<Integer> pieces = new ArrayList<>();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                long n = repo.streamBlob(Id.hash(b), (buf, off, len) -> {
                    pieces.add(len);
                    out.write(buf, off, len);
                });
                assertThat(n).isEqualTo(b.length);
                assertThat(out.toByteArray()).as("blob of %d sealed bytes", pb.length()).isEqualTo(b);
                assertThat(pieces).as("pieces").allSatisfy(len -> assertThat(len).isBetween(1, SEG))
                        .hasSize((b.length + MasterKey.IV_SIZE + SEG - 1) / SEG); // segments holding ciphertext

                MessageDigest md = Id.sha256();
                repo.verifyBlob(pb, md);
                assertThat(md.digest()).as("the sealed bytes, all of them").isEqualTo(sealedDigest(pb));
            }
            // Small and compressed blobs go to the sink whole, as loadBlob decodes them.
            for (byte[] b : List.of(small, text)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                List<Integer> pieces = new ArrayList<>();
                repo.streamBlob(Id.hash(b), (buf, off, len) -> {
                    pieces.add(len);
                    out.write(buf, off, len);
                });
                assertThat(out.toByteArray()).isEqualTo(b);
                assertThat(pieces).containsExactly(b.length);
                PackedBlob pb = repo.index().lookup(BlobType.DATA, Id.hash(b));
                MessageDigest md = Id.sha256();
                repo.verifyBlob(pb, md);
                assertThat(md.digest()).isEqualTo(sealedDigest(pb));
            }
        }
    }

    @Test
    void aDamagedLargeBlobFailsAfterItsPiecesAndIsDigestedWhole() throws Exception {
        byte[] big = RepositoryWriteTest.random(7, 5 << 20);
        Path dir = tmp.resolve("repo");
        PackedBlob pb;
        try (Repository repo = Repository.init(new LocalBackend(dir), RepositoryWriteTest.PASSWORD.toCharArray(),
                KdfParams.forTests(), null, "test", "host")) {
            repo.saveBlob(BlobType.DATA, null, big);
            repo.flush();
            pb = repo.index().lookup(BlobType.DATA, Id.hash(big));
        }
        // One flipped bit in the third segment.
        PackFiles.flip(PackFiles.writable(dir, pb.packId()), pb.offset() + 2L * SEG + 12345, 0x10);
        try (Repository repo = Repository.open(new LocalBackend(dir), RepositoryWriteTest.PASSWORD.toCharArray())) {
            repo.loadIndex();
            long[] received = {0};
            assertThatThrownBy(() -> repo.streamBlob(pb.id(), (buf, off, len) -> received[0] += len))
                    .isInstanceOf(VaultException.class)
                    .hasMessageContaining("pack " + pb.packId().shortHex())
                    .hasMessageContaining("failed authentication (damaged pack)");
            assertThat(received[0]).as("the pieces went out before the MAC was known").isEqualTo(big.length);

            MessageDigest md = Id.sha256();
            assertThatThrownBy(() -> repo.verifyBlob(pb, md)).isInstanceOf(VaultException.class)
                    .hasMessageContaining("damaged pack");
            assertThat(md.digest()).isEqualTo(sealedDigest(dir, pb));
        }
    }

    private byte[] sealedDigest(PackedBlob pb) throws Exception {
        return sealedDigest(tmp.resolve("repo"), pb);
    }

    private static byte[] sealedDigest(Path repo, PackedBlob pb) throws Exception {
        byte[] pack = Files.readAllBytes(PackFiles.path(repo, pb.packId()));
        return MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(pack, (int) pb.offset(),
                (int) pb.offset() + pb.length()));
    }
}
