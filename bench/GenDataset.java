import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generates a deterministic, practice-like dataset for the end-to-end benchmark, or applies one
 * deterministic "between runs" mutation to it. Run as a single-file program (only a JDK needed):
 *
 * <pre>
 *   java bench/GenDataset.java [--seed S] [--scale F] DIR     generate into a new or empty DIR
 *   java bench/GenDataset.java [--seed S] --mutate N DIR      apply mutation round N to DIR
 * </pre>
 *
 * Every byte and every mtime derives from the seed (SplittableRandom's algorithm is specified), so
 * the same arguments always give the same tree. At scale 1 the tree is about 3 GB: ~4000 office
 * documents, ~600 PDFs, ~250 images, one 800 MiB database file. Scale multiplies the file counts
 * and the database size; individual file sizes stay realistic.
 */
public final class GenDataset {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final int PAGE = 4096;

    static final int DOCS = 4000;
    static final int PDFS = 600;
    static final int IMAGES = 250;
    static final long DB_BYTES = 800 * MIB;

    static final long BASE_TIME = 1514764800L; // 2018-01-01T00:00:00Z
    static final long SPAN = 7L * 365 * 86400; // files dated 2018..2024
    static final long MUTATE_TIME = 1735689600L; // 2025-01-01T00:00:00Z, later than any generated mtime

    static final String[] CATEGORIES = {"letters", "reports", "invoices", "referrals", "consent-forms"};
    static final String[] DOC_EXT = {"docx", "docx", "docx", "odt", "rtf", "txt"};
    // A few non-ASCII and space-containing names, as in a real European practice.
    static final String[] SURNAMES = {
        "Schmidt", "Müller", "Dubois", "Rossi", "Kowalski", "Novak", "Jansen", "García", "Nielsen", "Horváth",
        "Weber", "Fischer", "Lefèvre", "Bianchi", "Nowak", "Svoboda", "de Vries", "Fernández", "Andersen", "Nagy",
        "Becker", "Hoffmann", "Moreau", "Romano", "Wiśniewski", "Dvořák", "Bakker", "López", "Hansen", "Kovács",
        "Öztürk", "Çelik", "Ó Briain", "Łukasz", "Schäfer", "Lambert", "Esposito", "Peeters", "Virtanen", "Papadopoulos"};
    static final String[] WORDS = (
        "patient presents with mild moderate severe pain in the lower upper left right molar region "
        + "examination revealed caries gingivitis periodontitis inflammation swelling no signs of infection "
        + "treatment plan includes root canal filling extraction crown bridge implant follow-up appointment "
        + "radiograph panoramic bitewing periapical shows bone loss around tooth anamnesis allergies none known "
        + "medication ibuprofen amoxicillin chlorhexidine rinse twice daily for seven days referral to specialist "
        + "orthodontics oral surgery insurance claim invoice amount due payment received thank you for your "
        + "referral dear colleague kind regards sincerely date of birth address telephone consent informed risks "
        + "benefits alternatives discussed signed by the patient guardian hygiene instructions given recall in "
        + "six months local anaesthesia articaine lidocaine administered uneventful healing sutures removed "
        + "Befund Behandlung Zahn Füllung Wurzelbehandlung Röntgenaufnahme Überweisung Rechnung Betrag Kostenvoranschlag "
        + "traitement dentaire radiographie ordonnance facture rendez-vous trattamento odontoiatrico fattura").split(" ");
    static final byte[][] WORD_BYTES = toBytes(WORDS);

    enum Kind { DOC, PDF, IMAGE, DB }

    record Entry(String path, Kind kind, int index, long size, long mtime) {}

    public static void main(String[] args) throws IOException {
        long seed = 42;
        double scale = 1.0;
        Integer mutate = null;
        String dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--scale" -> scale = Double.parseDouble(value(args, ++i));
                case "--mutate" -> mutate = Integer.parseInt(value(args, ++i));
                case "-h", "--help" -> { usage(); return; }
                default -> {
                    if (args[i].startsWith("-") || dir != null) { usage(); System.exit(2); }
                    dir = args[i];
                }
            }
        }
        if (dir == null || !(scale > 0) || scale > 100 || (mutate != null && mutate < 1)) { usage(); System.exit(2); }
        Path root = Path.of(dir);
        long t0 = System.nanoTime();
        Stats stats;
        try {
            stats = mutate == null ? generate(root, seed, scale) : mutate(root, seed, mutate);
        } catch (IOException e) {
            System.err.println("gen-dataset: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf(Locale.ROOT, "gen-dataset: %s %d files, %.1f MiB written in %.1f s%n",
            mutate == null ? "generated" : "mutation " + mutate + " touched", stats.files,
            stats.bytes / (double) MIB, (System.nanoTime() - t0) / 1e9);
    }

    static String value(String[] args, int i) {
        if (i >= args.length) { usage(); System.exit(2); }
        return args[i];
    }

    static void usage() {
        System.err.println("usage: GenDataset [--seed S] [--scale F] DIR   |   GenDataset [--seed S] --mutate N DIR");
    }

    static final class Stats { int files; long bytes; }

    // ---------------------------------------------------------------- generation

    static Stats generate(Path root, long seed, double scale) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) throw new IOException(root + " is not empty; refusing to generate into it");
            }
        }
        List<Entry> plan = plan(seed, scale);
        Stats stats = new Stats();
        for (Entry e : plan) {
            Path p = root.resolve(e.path());
            Files.createDirectories(p.getParent());
            SplittableRandom rnd = rng(seed, e.kind().ordinal(), e.index(), 0);
            switch (e.kind()) {
                case DOC -> writeFile(p, document(rnd, e.size(), e.path()));
                case PDF -> writeFile(p, pdf(rnd, e.size()));
                case IMAGE -> writeImage(p, rnd, e.size(), e.path());
                case DB -> writeDbPages(p, seed, 0, e.size() / PAGE, 0, false);
            }
            Files.setLastModifiedTime(p, FileTime.from(e.mtime(), java.util.concurrent.TimeUnit.SECONDS));
            stats.files++;
            stats.bytes += Files.size(p);
        }
        // Directory mtimes last, since creating files changed them.
        try (Stream<Path> s = Files.walk(root)) {
            for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                Files.setLastModifiedTime(d, FileTime.from(BASE_TIME + SPAN, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        return stats;
    }

    /** The file list: names, sizes and mtimes, from the seed alone. */
    static List<Entry> plan(long seed, double scale) {
        List<Entry> plan = new ArrayList<>();
        int docs = count(DOCS, scale), pdfs = count(PDFS, scale), images = count(IMAGES, scale);
        for (int i = 0; i < docs; i++) {
            SplittableRandom r = rng(seed, 100, i, 0);
            int year = 2018 + r.nextInt(7);
            String cat = CATEGORIES[r.nextInt(CATEGORIES.length)];
            String name = SURNAMES[r.nextInt(SURNAMES.length)] + "_" + cat.replaceAll("s$", "") + "_"
                + String.format(Locale.ROOT, "%05d", i) + "." + DOC_EXT[r.nextInt(DOC_EXT.length)];
            plan.add(new Entry("documents/" + year + "/" + cat + "/" + name, Kind.DOC, i,
                logUniform(r, 5 * KIB, 200 * KIB), mtime(r, year)));
        }
        for (int i = 0; i < pdfs; i++) {
            SplittableRandom r = rng(seed, 101, i, 0);
            int year = 2018 + r.nextInt(7);
            String name = String.format(Locale.ROOT, "%s/%02d/scan_%s_%05d.pdf", year, 1 + r.nextInt(12),
                SURNAMES[r.nextInt(SURNAMES.length)], i);
            plan.add(new Entry("scans/" + name, Kind.PDF, i, logUniform(r, 30 * KIB, 3 * MIB), mtime(r, year)));
        }
        for (int i = 0; i < images; i++) {
            SplittableRandom r = rng(seed, 102, i, 0);
            int year = 2018 + r.nextInt(7);
            boolean dicom = r.nextInt(3) != 0;
            String name = String.format(Locale.ROOT, "%d/P%04d/%s_%05d.%s", year, r.nextInt(10000),
                dicom ? "xray" : "photo", i, dicom ? "dcm" : "jpg");
            plan.add(new Entry("imaging/" + name, Kind.IMAGE, i, logUniform(r, MIB, 20 * MIB), mtime(r, year)));
        }
        long dbPages = Math.max(16, Math.round(DB_BYTES * scale / PAGE));
        plan.add(new Entry("database/practice.db", Kind.DB, 0, dbPages * PAGE, BASE_TIME + SPAN));
        return plan;
    }

    static int count(int n, double scale) { return Math.max(1, (int) Math.round(n * scale)); }

    static long logUniform(SplittableRandom r, long min, long max) {
        return Math.round(min * Math.exp(r.nextDouble() * Math.log((double) max / min)));
    }

    static long mtime(SplittableRandom r, int year) {
        return BASE_TIME + (year - 2018) * 365L * 86400 + r.nextLong(365L * 86400);
    }

    // ---------------------------------------------------------------- mutation

    /**
     * Mutation round N: rewrites or appends to ~1 % of the files (documents and PDFs), adds a few new
     * documents and images, rewrites scattered 4 KiB pages of the database and appends a few pages.
     * Files are chosen from the current tree, so rounds can be applied one after another.
     */
    static Stats mutate(Path root, long seed, int round) throws IOException {
        List<String> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                .sorted().toList();
        }
        if (all.isEmpty()) throw new IOException(root + " has no files; generate it first");
        long when = MUTATE_TIME + (round - 1) * 86400L;
        Stats stats = new Stats();

        List<String> candidates = new ArrayList<>(all.stream()
            .filter(p -> p.startsWith("documents/") || p.startsWith("scans/")).toList());
        candidates.sort(Comparator.comparingLong((String p) -> mix(seed, round, fnv(p))).thenComparing(p -> p));
        int k = Math.min(candidates.size(), Math.max(1, (int) Math.round(all.size() * 0.01)));
        for (int i = 0; i < k; i++) {
            String rel = candidates.get(i);
            Path p = root.resolve(rel);
            SplittableRandom r = rng(seed, 200 + round, fnv(rel), round);
            if (rel.endsWith(".pdf")) {
                appendFile(p, pdfIncrementalUpdate(r)); // PDFs are edited by appending an update section
            } else if (i % 2 == 0) {
                writeFile(p, document(r, logUniform(r, 5 * KIB, 200 * KIB), rel));
            } else {
                Buf b = new Buf((int) (9 * KIB));
                paragraphs(b, r, 1 * KIB + r.nextInt((int) (7 * KIB)));
                appendFile(p, b.bytes());
            }
            touch(p, when + i, stats);
        }

        int newDocs = Math.max(1, (int) Math.round(all.size() * 0.002));
        for (int i = 0; i < newDocs; i++) {
            SplittableRandom r = rng(seed, 300 + round, i, round);
            String rel = String.format(Locale.ROOT, "documents/2025/incoming/%s_letter_r%03d_%03d.docx",
                SURNAMES[r.nextInt(SURNAMES.length)], round, i);
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            writeFile(p, document(r, logUniform(r, 5 * KIB, 200 * KIB), rel));
            touch(p, when + k + i, stats);
        }
        long images = all.stream().filter(p -> p.startsWith("imaging/")).count();
        int newImages = (int) Math.round(images * 0.01);
        for (int i = 0; i < newImages; i++) {
            SplittableRandom r = rng(seed, 400 + round, i, round);
            String rel = String.format(Locale.ROOT, "imaging/2025/P%04d/xray_r%03d_%03d.dcm", r.nextInt(10000), round, i);
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            writeImage(p, r, logUniform(r, MIB, 20 * MIB), rel);
            touch(p, when + k + newDocs + i, stats);
        }

        Path db = root.resolve("database/practice.db");
        if (Files.isRegularFile(db)) {
            long pages = Files.size(db) / PAGE;
            writeDbPages(db, seed, round, pages, Math.max(4, pages / 2000), true); // scattered rewrites
            long grow = Math.max(1, pages / 1000);
            try (FileChannel ch = FileChannel.open(db, StandardOpenOption.WRITE)) {
                ByteBuffer page = ByteBuffer.allocate(PAGE);
                for (long n = pages; n < pages + grow; n++) {
                    page.clear();
                    dbPage(page.array(), n, rng(seed, 3, n, round), round);
                    ch.write(page, n * PAGE);
                }
            }
            stats.bytes += (Math.max(4, pages / 2000) + grow) * PAGE;
            Files.setLastModifiedTime(db, FileTime.from(when + 86399, java.util.concurrent.TimeUnit.SECONDS));
            stats.files++;
        }
        return stats;
    }

    static void touch(Path p, long epochSeconds, Stats stats) throws IOException {
        Files.setLastModifiedTime(p, FileTime.from(epochSeconds, java.util.concurrent.TimeUnit.SECONDS));
        stats.files++;
        stats.bytes += Files.size(p);
    }

    // ---------------------------------------------------------------- content

    /** XML-like word-processor content: compresses roughly like the XML inside .docx/.odt. */
    static byte[] document(SplittableRandom r, long size, String title) {
        Buf b = new Buf((int) size + 4096);
        b.put("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\n");
        b.put("<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr><w:r><w:t>").put(title).put("</w:t></w:r></w:p>\n");
        paragraphs(b, r, size - 40);
        b.put("</w:body></w:document>\n");
        return b.bytes();
    }

    static void paragraphs(Buf b, SplittableRandom r, long until) {
        long stop = b.len + until;
        while (b.len < stop) {
            b.put("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr><w:r><w:rPr><w:sz w:val=\"22\"/></w:rPr><w:t xml:space=\"preserve\">");
            sentence(b, r, 8 + r.nextInt(40));
            b.put("</w:t></w:r></w:p>\n");
        }
    }

    static void sentence(Buf b, SplittableRandom r, int words) {
        for (int w = 0; w < words; w++) {
            if (w > 0) b.put((byte) ' ');
            int roll = r.nextInt(20);
            if (roll == 0) b.put(String.format(Locale.ROOT, "%02d.%02d.%d", 1 + r.nextInt(28), 1 + r.nextInt(12), 2018 + r.nextInt(7)));
            else if (roll == 1) b.put(String.format(Locale.ROOT, "%d,%02d EUR", r.nextInt(2000), r.nextInt(100)));
            else b.put(WORD_BYTES[r.nextInt(WORD_BYTES.length)]);
        }
        b.put((byte) '.');
    }

    /** A PDF-like file: uncompressed text content streams mixed with incompressible embedded images. */
    static byte[] pdf(SplittableRandom r, long size) {
        Buf b = new Buf((int) size + 80 * 1024);
        b.put("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        int obj = 3;
        while (b.len < size) {
            if (r.nextInt(3) != 0) {
                Buf t = new Buf(8192);
                for (int line = 0, n = 40 + r.nextInt(120); line < n; line++) {
                    t.put("BT /F1 11 Tf 72 ").put(Integer.toString(760 - 12 * line)).put(" Td (");
                    sentence(t, r, 6 + r.nextInt(10));
                    t.put(") Tj ET\n");
                }
                b.put(obj++ + " 0 obj\n<< /Length " + t.len + " >>\nstream\n").put(t.bytes()).put("\nendstream\nendobj\n");
            } else {
                int n = (int) (4 * KIB + r.nextInt((int) (20 * KIB)));
                b.put(obj++ + " 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length " + n + " >>\nstream\n");
                b.putRandom(r, n);
                b.put("\nendstream\nendobj\n");
            }
        }
        b.put("trailer\n<< /Root 1 0 R /Size " + obj + " >>\nstartxref\n0\n%%EOF\n");
        return b.bytes();
    }

    static byte[] pdfIncrementalUpdate(SplittableRandom r) {
        Buf b = new Buf(64 * 1024);
        b.put("900 0 obj\n<< /Type /Annot /Subtype /Text /Contents (");
        sentence(b, r, 20 + r.nextInt(30));
        b.put(") >>\nendobj\n901 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /Contents <");
        byte[] sig = new byte[4096 + r.nextInt(8192)];
        fillRandom(r, sig, sig.length);
        for (byte x : sig) b.put(String.format("%02x", x & 0xff));
        b.put("> >>\nendobj\ntrailer\n<< /Root 1 0 R /Prev 0 >>\nstartxref\n0\n%%EOF\n");
        return b.bytes();
    }

    /** X-ray (DICOM-like) or photo (JPEG-like): a small header followed by incompressible data. */
    static void writeImage(Path p, SplittableRandom r, long size, String name) throws IOException {
        Buf head = new Buf(512);
        if (name.endsWith(".dcm")) {
            head.put(new byte[128]).put("DICM").put("\u0002\u0000\u0010\u0000UI\u0014\u00001.2.840.10008.1.2.4.50");
            head.put("PatientName=").put(SURNAMES[r.nextInt(SURNAMES.length)]).put(";Modality=DX;");
        } else {
            head.put(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16}).put("JFIF\u0000\u0001\u0001\u0000\u0000\u0001\u0000\u0001\u0000\u0000");
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(head.bytes()));
            byte[] chunk = new byte[(int) MIB];
            long left = size - head.len;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                fillRandom(r, chunk, n);
                writeFully(ch, ByteBuffer.wrap(chunk, 0, n));
                left -= n;
            }
        }
    }

    /**
     * Writes database pages with the given version. With {@code scattered}, rewrites {@code count}
     * pseudo-randomly chosen existing pages in place; otherwise writes pages 0..pages-1 into a new file.
     */
    static void writeDbPages(Path p, long seed, int version, long pages, long count, boolean scattered) throws IOException {
        if (!scattered) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] batch = new byte[256 * PAGE];
                byte[] page = new byte[PAGE];
                for (long n = 0; n < pages; ) {
                    int inBatch = (int) Math.min(256, pages - n);
                    for (int i = 0; i < inBatch; i++, n++) {
                        dbPage(page, n, rng(seed, 3, n, version), version);
                        System.arraycopy(page, 0, batch, i * PAGE, PAGE);
                    }
                    writeFully(ch, ByteBuffer.wrap(batch, 0, inBatch * PAGE));
                }
            }
            return;
        }
        SplittableRandom pick = rng(seed, 4, version, version);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            byte[] page = new byte[PAGE];
            for (long i = 0; i < count; i++) {
                long n = pick.nextLong(pages);
                dbPage(page, n, rng(seed, 3, n, version), version);
                ByteBuffer bb = ByteBuffer.wrap(page);
                while (bb.hasRemaining()) ch.write(bb, n * PAGE + bb.position());
            }
        }
    }

    /** One 4 KiB page: free (zeros), table rows, index keys, or overflow blob data. */
    static void dbPage(byte[] page, long pageNo, SplittableRandom r, int version) {
        java.util.Arrays.fill(page, (byte) 0);
        int type = r.nextInt(100);
        if (type < 8 && version == 0) return; // free page
        ByteBuffer h = ByteBuffer.wrap(page).order(ByteOrder.BIG_ENDIAN);
        h.put("PDB1".getBytes(StandardCharsets.US_ASCII)).putLong(pageNo).putInt(version);
        Buf b = new Buf(PAGE + 512);
        if (type < 70) {
            while (b.len < PAGE - 200) {
                b.put(Long.toString(pageNo * 40 + b.len)).put((byte) '|')
                    .put(SURNAMES[r.nextInt(SURNAMES.length)]).put((byte) '|')
                    .put(String.format(Locale.ROOT, "%04d-%02d-%02d|%c%03d|%d.%02d|", 1930 + r.nextInt(90),
                        1 + r.nextInt(12), 1 + r.nextInt(28), (char) ('A' + r.nextInt(26)), r.nextInt(1000),
                        r.nextInt(5000), r.nextInt(100)));
                sentence(b, r, 2 + r.nextInt(8));
                b.put((byte) '\n');
            }
        } else if (type < 90) {
            long key = r.nextLong(1_000_000);
            while (b.len < PAGE - 64) {
                key += 1 + r.nextInt(50);
                b.put(String.format(Locale.ROOT, "%010d:%08x;", key, r.nextInt()));
            }
        } else {
            b.putRandom(r, PAGE - 64);
        }
        System.arraycopy(b.buf, 0, page, 16, Math.min(b.len, PAGE - 16));
    }

    // ---------------------------------------------------------------- helpers

    static void writeFile(Path p, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(data));
        }
    }

    static void appendFile(Path p, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            writeFully(ch, ByteBuffer.wrap(data));
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer bb) throws IOException {
        while (bb.hasRemaining()) ch.write(bb);
    }

    static void fillRandom(SplittableRandom r, byte[] a, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long v = r.nextLong();
            a[i] = (byte) v; a[i + 1] = (byte) (v >>> 8); a[i + 2] = (byte) (v >>> 16); a[i + 3] = (byte) (v >>> 24);
            a[i + 4] = (byte) (v >>> 32); a[i + 5] = (byte) (v >>> 40); a[i + 6] = (byte) (v >>> 48); a[i + 7] = (byte) (v >>> 56);
        }
        for (long v = r.nextLong(); i < n; i++, v >>>= 8) a[i] = (byte) v;
    }

    static SplittableRandom rng(long seed, long a, long b, long c) {
        return new SplittableRandom(mix(mix(mix(seed, a), b), c));
    }

    static long mix(long h, long v) {
        long z = h * 0x9E3779B97F4A7C15L + v + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long mix(long seed, int round, long v) { return mix(mix(seed, round), v); }

    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) { h ^= x & 0xff; h *= 0x100000001b3L; }
        return h;
    }

    static byte[][] toBytes(String[] words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) out[i] = words[i].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    /** Growable byte buffer; Strings are written as UTF-8. */
    static final class Buf {
        byte[] buf;
        int len;

        Buf(int capacity) { buf = new byte[Math.max(16, capacity)]; }

        Buf put(byte x) { ensure(1); buf[len++] = x; return this; }

        Buf put(byte[] x) { ensure(x.length); System.arraycopy(x, 0, buf, len, x.length); len += x.length; return this; }

        Buf put(String s) { return put(s.getBytes(StandardCharsets.UTF_8)); }

        Buf putRandom(SplittableRandom r, int n) {
            ensure(n);
            byte[] tmp = new byte[n];
            fillRandom(r, tmp, n);
            System.arraycopy(tmp, 0, buf, len, n);
            len += n;
            return this;
        }

        byte[] bytes() { return java.util.Arrays.copyOf(buf, len); }

        private void ensure(int n) {
            if (len + n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
