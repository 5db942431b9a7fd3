package eu.rempart.sentinel.detect;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static eu.rempart.sentinel.testing.Practice.docx;
import static eu.rempart.sentinel.testing.Practice.gzip;
import static eu.rempart.sentinel.testing.Practice.jpeg;
import static eu.rempart.sentinel.testing.Practice.pdf;
import static eu.rempart.sentinel.testing.Practice.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detector on real files changed the way each attack and each benign program changes them; the
 * watcher's threads are left out (WatcherTest runs them), the clock is stepped by hand.
 */
class DetectorTest {
    @TempDir
    Path dir;
    private long now = 1_000_000_000_000L;
    private Detector detector;
    private final ContentAnalyzer analyzer = new ContentAnalyzer();
    private final Random random = new Random(42);
    private final List<Path> documents = new ArrayList<>();

    @BeforeEach
    void practice() throws IOException {
        detector = new Detector(() -> now);
        for (int i = 0; i < 12; i++) {
            Path folder = Files.createDirectories(dir.resolve("dossier" + (i % 3)));
            documents.add(write(folder.resolve("courrier" + i + ".docx"), docx(i)));
            documents.add(write(folder.resolve("scan" + i + ".pdf"), pdf(i)));
            documents.add(write(folder.resolve("radio" + i + ".jpg"), jpeg(i)));
            documents.add(write(folder.resolve("notes" + i + ".txt"), text(i, 3000)));
        }
        Files.write(dir.resolve("app.log"), text(99, 20000));
        for (Path f : list()) {
            detector.seed(f, analyzer.profile(f, true));
        }
    }

    @Test
    void fileKindsAreRecognised() throws IOException {
        assertThat(profile(documents.get(0)).kind()).isEqualTo(FileKind.ZIP);
        assertThat(profile(documents.get(1)).kind()).isEqualTo(FileKind.PDF);
        assertThat(profile(documents.get(2)).kind()).isEqualTo(FileKind.JPEG);
        assertThat(profile(documents.get(3)).kind()).isEqualTo(FileKind.TEXT);
        Path r = write(dir.resolve("random.bin"), randomBytes(50_000));
        ContentProfile p = profile(r);
        assertThat(p.kind()).isEqualTo(FileKind.UNKNOWN);
        assertThat(p.randomBlockCount()).isEqualTo(p.blocks()).isEqualTo(8);
        assertThat(profile(documents.get(3)).randomBlockCount()).isZero();
    }

    @Test
    void inPlaceEncryptionAlertsAtTheFirstFile() throws Exception {
        Alert alert = encrypt(documents.get(1), 0, Integer.MAX_VALUE, 0);
        assertThat(alert).isNotNull();
        assertThat(alert.indicators()).containsKeys(Indicator.TYPE_LOST, Indicator.ENTROPY_RISE);
        assertThat(alert.files()).containsExactly(documents.get(1));
        assertThat(alert.pids()).containsExactly(4242L);
        // after an alert, the next destroyed file alerts again at once (the next process)
        assertThat(encrypt(documents.get(5), 0, Integer.MAX_VALUE, 0)).isNotNull();
    }

    @Test
    void aLostHeaderAloneNeedsASecondFile() throws Exception {
        // a Word file's header overwritten: the format is gone, the bytes are no more random than before
        Path d = documents.get(0);
        byte[] data = Files.readAllBytes(d);
        System.arraycopy("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 16);
        Files.write(d, data);
        assertThat(detector.written(d, profile(d), 1)).isNull();
        Path e = documents.get(4);
        data = Files.readAllBytes(e);
        System.arraycopy("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 16);
        Files.write(e, data);
        assertThat(detector.written(e, profile(e), 1)).isNotNull();
    }

    @Test
    void partialEncryptionOfTheFirstKibIsCaught() throws Exception {
        Alert alert = null;
        int n = 0;
        for (Path d : documents) {
            n++;
            if ((alert = encrypt(d, 0, 1024, 0)) != null) {
                break;
            }
        }
        assertThat(alert).isNotNull();
        assertThat(n).as("files before the alert").isLessThanOrEqualTo(2);
    }

    @Test
    void intermittentEncryptionEveryOther16BytesIsCaught() throws Exception {
        Alert alert = null;
        int n = 0;
        for (Path d : documents) {
            n++;
            if ((alert = encrypt(d, 0, Integer.MAX_VALUE, 16)) != null) {
                break;
            }
        }
        assertThat(alert).isNotNull();
        assertThat(n).as("files before the alert").isLessThanOrEqualTo(2);
    }

    @Test
    void slowAttackWithHalfEvidenceStillAddsUp() throws Exception {
        // two files whose header alone went, a minute apart
        for (int i : new int[] {0, 8}) {
            Path d = documents.get(i);
            byte[] data = Files.readAllBytes(d);
            System.arraycopy("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 16);
            Files.write(d, data);
            Alert a = detector.written(d, profile(d), 1);
            assertThat(a != null).isEqualTo(i == 8);
            now += 60_000_000_000L;
        }
    }

    @Test
    void copyEncryptDeleteAlertsAtTheSecondDocument() throws Exception {
        Alert alert = null;
        int n = 0;
        for (Path d : documents) {
            n++;
            Path copy = d.resolveSibling(d.getFileName() + ".k3x9q");
            Files.write(copy, aes(Files.readAllBytes(d)));
            alert = detector.written(copy, profile(copy), 77);
            if (alert == null) {
                Files.delete(d);
                alert = detector.deleted(d, 77);
            }
            if (alert != null) {
                break;
            }
        }
        assertThat(n).isEqualTo(2);
        assertThat(alert.indicators()).containsKey(Indicator.ENCRYPTED_COPY);
    }

    @Test
    void encryptedTemporaryFileRenamedNextToTheOriginalIsACopy() throws Exception {
        Alert alert = null;
        int n = 0;
        for (Path d : documents) {
            n++;
            Path tmp = d.resolveSibling("~" + n + ".tmp");
            Files.write(tmp, aes(Files.readAllBytes(d)));
            alert = detector.written(tmp, profile(tmp), 78);
            Path locked = d.resolveSibling(d.getFileName() + ".locked");
            Files.move(tmp, locked);
            alert = alert != null ? alert : detector.deleted(tmp, 78);
            alert = alert != null ? alert : detector.written(locked, profile(locked), 78);
            Files.delete(d);
            alert = alert != null ? alert : detector.deleted(d, 78);
            if (alert != null) {
                break;
            }
        }
        assertThat(n).isEqualTo(2);
        assertThat(alert.indicators()).containsKeys(Indicator.ENCRYPTED_COPY, Indicator.KNOWN_EXTENSION);
    }

    @Test
    void renamesToOneNewExtensionAlertAtTheThird() throws Exception {
        // as inotify reports them: the old name gone, then a new name with the same content
        Renaming r = renameUntilAlert((from, to) -> {
            Alert a = detector.deleted(from, -1);
            return a != null ? a : detector.written(to, profile(to), -1);
        });
        assertThat(r.files()).isEqualTo(3);
        assertThat(r.alert().indicators()).containsKeys(Indicator.RENAMED_EXTENSION, Indicator.COMMON_EXTENSION);
    }

    @Test
    void renamesReportedWithBothNamesAlertAtTheThirdWithoutReadingTheFiles() throws Exception {
        Renaming r = renameUntilAlert((from, to) -> {
            Alert a = detector.renamed(from, to, 77);
            // what inotify reports afterwards changes nothing: the old name is no longer known
            assertThat(detector.deleted(from, -1)).isNull();
            assertThat(detector.known(to)).isNotNull();
            return a;
        });
        assertThat(r.files()).isEqualTo(3);
        assertThat(r.alert().indicators()).containsKeys(Indicator.RENAMED_EXTENSION, Indicator.COMMON_EXTENSION);
        assertThat(r.alert().pids()).containsExactly(77L);
    }

    private record Renaming(Alert alert, int files) {
    }

    private interface RenameReport {
        Alert report(Path from, Path to) throws Exception;
    }

    /** Renames the documents to {@code <name>.payme} one by one until the detector alerts. */
    private Renaming renameUntilAlert(RenameReport how) throws Exception {
        int n = 0;
        for (Path d : documents) {
            n++;
            Path renamed = d.resolveSibling(d.getFileName() + ".payme");
            Files.move(d, renamed);
            Alert alert = how.report(d, renamed);
            if (alert != null) {
                return new Renaming(alert, n);
            }
        }
        throw new AssertionError("no alert after " + n + " renames");
    }

    @Test
    void aRenamedDocumentStaysEstablishedSoEncryptingItNextAlerts() throws Exception {
        Path d = documents.get(1);
        Path moved = d.resolveSibling("Scan Dupont.pdf");
        Files.move(d, moved);
        assertThat(detector.renamed(d, moved, 7)).isNull();
        // inotify reports the new name afterwards and it is read again, unchanged
        assertThat(detector.written(moved, profile(moved), -1)).isNull();
        Alert alert = encrypt(moved, 0, Integer.MAX_VALUE, 0);
        assertThat(alert).isNotNull();
        assertThat(alert.indicators()).containsKeys(Indicator.TYPE_LOST, Indicator.ENTROPY_RISE);
    }

    @Test
    void ordinaryRenamesAndRenamesOverAFileAreNotJudgedByName() throws Exception {
        for (int i = 0; i < 3; i++) {
            Path d = documents.get(i);
            assertThat(detector.renamed(d, d.resolveSibling("Courrier " + i + ".docx"), 5)).isNull();
        }
        // onto a known file: its content changes, which only reading it can judge
        Path a = documents.get(3);
        Path b = documents.get(4);
        assertThat(detector.renamed(a, b, 5)).isNull();
        assertThat(detector.known(a)).isNotNull();
    }

    @Test
    void ransomNotesInFoldersAlert() throws Exception {
        byte[] note = "YOUR FILES ARE ENCRYPTED. Contact us to recover them.\n".getBytes(StandardCharsets.UTF_8);
        Path a = write(dir.resolve("dossier0/HOW_TO_DECRYPT.txt"), note);
        assertThat(detector.written(a, profile(a), 5)).isNull();
        Path b = write(dir.resolve("dossier1/HOW_TO_DECRYPT.txt"), note);
        Alert alert = detector.written(b, profile(b), 5);
        assertThat(alert).isNotNull();
        assertThat(alert.indicators()).containsKey(Indicator.RANSOM_NOTE);
    }

    @Test
    void sameUnknownTextInThreeFoldersIsEvidenceNotAnAlert() throws Exception {
        byte[] note = "Merci de lire ce fichier.\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            Path n = write(dir.resolve("dossier" + i + "/LISEZMOI.txt"), note);
            assertThat(detector.written(n, profile(n), 5)).isNull();
        }
        // with a lost header on top, it is an attack
        Path d = documents.get(0);
        byte[] data = Files.readAllBytes(d);
        System.arraycopy("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 16);
        Files.write(d, data);
        assertThat(detector.written(d, profile(d), 1)).isNotNull();
    }

    @Test
    void canaryIsAnAlertOnItsOwn() throws Exception {
        Path canary = documents.get(0);
        detector.addCanary(canary);
        Files.write(canary, text(1, 100), java.nio.file.StandardOpenOption.APPEND);
        assertThat(detector.written(canary, profile(canary), 9).indicators()).containsKey(Indicator.CANARY_TOUCHED);
    }

    @Test
    void whatAPracticeDoesAllDayRaisesNothing() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < documents.size(); i += 4) {
                // office save: a new ZIP; imaging: a new JPEG; notes appended
                assertThat(rewrite(documents.get(i), docx(1000 + i + round))).isNull();
                assertThat(rewrite(documents.get(i + 2), jpeg(1000 + i + round))).isNull();
                assertThat(rewrite(documents.get(i + 3), text(2000 + i + round, 4000))).isNull();
                assertThat(rewrite(documents.get(i + 1), pdf(3000 + i + round))).isNull();
            }
            now += 30_000_000_000L;
        }
        // logrotate: app.log -> app.log.gz (new genuine gzip, original deleted)
        Path gz = write(dir.resolve("app.log.gz"), gzip(Files.readAllBytes(dir.resolve("app.log"))));
        assertThat(detector.written(gz, profile(gz), 11)).isNull();
        Files.delete(dir.resolve("app.log"));
        assertThat(detector.deleted(dir.resolve("app.log"), 11)).isNull();
        // another backup program writes encrypted archives under new names and rotates old ones
        Path backups = Files.createDirectories(dir.resolve("Sauvegardes"));
        for (int i = 0; i < 20; i++) {
            Path b = write(backups.resolve("sauvegarde-" + i + ".tar.gz.enc"), randomBytes(40_000 + i));
            assertThat(detector.written(b, profile(b), 12)).isNull();
            if (i >= 3) {
                Path old = backups.resolve("sauvegarde-" + (i - 3) + ".tar.gz.enc");
                Files.delete(old);
                assertThat(detector.deleted(old, 12)).isNull();
            }
        }
        // a cache: small files written, rewritten with random content, deleted, minutes apart at most
        Path cache = Files.createDirectories(dir.resolve("Cache"));
        for (int i = 0; i < 200; i++) {
            Path c = cache.resolve(Integer.toHexString(i * 7919));
            byte[] content = i % 2 == 0 ? text(i, 2000) : randomBytes(3000);
            Files.write(c, content);
            assertThat(detector.written(c, profile(c), 13)).isNull();
            Files.write(c, randomBytes(2500));
            assertThat(detector.written(c, profile(c), 13)).isNull();
            now += 1_000_000_000L;
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private Alert rewrite(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return detector.written(file, profile(file), 10);
    }

    /** Encrypts [from, from+len) in place; with stride > 0 only every other stride-sized block. */
    private Alert encrypt(Path file, int from, int len, int stride) throws Exception {
        byte[] data = Files.readAllBytes(file);
        byte[] enc = aes(data);
        int end = (int) Math.min(data.length, (long) from + len);
        for (int i = from; i < end; i++) {
            if (stride == 0 || (i / stride) % 2 == 0) {
                data[i] = enc[i];
            }
        }
        Files.write(file, data);
        return detector.written(file, profile(file), 4242);
    }

    private byte[] aes(byte[] data) throws Exception {
        byte[] key = new byte[32];
        random.nextBytes(key);
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        return c.doFinal(data);
    }

    private ContentProfile profile(Path f) throws IOException {
        return analyzer.profile(f, false);
    }

    private List<Path> list() throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Path write(Path f, byte[] content) throws IOException {
        Files.createDirectories(f.getParent());
        return Files.write(f, content);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
