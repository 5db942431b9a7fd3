import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;

/**
 * Benign workloads a small practice's PC really runs, for measuring false alerts of
 * {@code rempart sentinel watch}. Single-file program, JDK only (plus the {@code 7z}, {@code tar}
 * and {@code gzip} binaries for the workloads that use them):
 *
 * <pre>
 *   java bench/sentinel/BenignWorkload.java --dir DIR --workload W [--seed S] [--duration-s N]
 *        [--db-mib M]
 *   W: zip 7z gzip jpeg dicom office database update backup-tool browser-cache all
 * </pre>
 *
 * DIR must be a folder made by {@code RansomSim populate} (it holds the {@code .rempart-simulator}
 * marker); every path written is checked to be inside it. See README.md.
 */
public final class BenignWorkload {

  static final String MARKER = ".rempart-simulator";
  static final List<String> WORKLOADS = List.of("zip", "7z", "gzip", "jpeg", "dicom", "office",
      "database", "update", "backup-tool", "browser-cache");
  /** Folders that belong to software, not to the practice's data (never archived). */
  static final Set<String> NOT_DATA =
      Set.of("Archives", "Sauvegardes", "Programmes", "AppData", "Logiciel", "Logs");

  private Path root;
  private SplittableRandom rnd;
  private int durationS;
  private int dbMib;
  private int created;
  private int modified;
  private int deleted;

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage();
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0 || !o.containsKey("dir") || !o.containsKey("workload")) {
      usage();
    }
    String w = o.get("workload");
    if (!w.equals("all") && !WORKLOADS.contains(w)) {
      System.err.println("BenignWorkload: unknown workload " + w);
      usage();
    }
    Path dir = Path.of(o.get("dir")).toAbsolutePath().normalize();
    Path marker = dir.resolve(MARKER);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        || !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
      System.err.println("BenignWorkload: REFUSED: " + dir + " has no " + MARKER
          + " marker (make it with 'RansomSim populate'). Nothing was touched.");
      System.exit(2);
    }
    BenignWorkload b = new BenignWorkload();
    b.root = dir.toRealPath();
    b.durationS = Integer.parseInt(o.getOrDefault("duration-s", "10"));
    b.dbMib = Integer.parseInt(o.getOrDefault("db-mib", "128"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    long start = System.nanoTime();
    for (String one : w.equals("all") ? WORKLOADS : List.of(w)) {
      b.rnd = new SplittableRandom(seed * 31 + one.hashCode());
      b.run(one);
    }
    System.out.printf(Locale.ROOT,
        "BenignWorkload %s: %d files created, %d modified, %d deleted in %.1f s%n", w, b.created,
        b.modified, b.deleted, (System.nanoTime() - start) / 1e9);
  }

  static void usage() {
    System.err.println("usage: BenignWorkload --dir DIR --workload W [--seed S] [--duration-s N]"
        + " [--db-mib M]\nworkloads: " + String.join(" ", WORKLOADS) + " all");
    System.exit(2);
  }

  void run(String w) throws Exception {
    switch (w) {
      case "zip": zip(); break;
      case "7z": sevenZip(); break;
      case "gzip": gzip(); break;
      case "jpeg": jpeg(); break;
      case "dicom": dicom(); break;
      case "office": office(); break;
      case "database": database(); break;
      case "update": update(); break;
      case "backup-tool": backupTool(); break;
      case "browser-cache": browserCache(); break;
      default: throw new IllegalArgumentException(w);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Safe file primitives: every target is resolved under the root and checked.

  Path in(String rel) throws IOException {
    Path p = root.resolve(rel).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new IOException("refusing a path outside the simulator folder: " + rel);
    }
    Files.createDirectories(p.getParent());
    // The parent's canonical path must still be inside: no symbolic link leads out.
    if (!p.getParent().toRealPath().startsWith(root) || Files.isSymbolicLink(p)) {
      throw new IOException("refusing a path that leaves the simulator folder: " + rel);
    }
    return p;
  }

  Path inside(Path p) throws IOException {
    return in(root.relativize(p.toAbsolutePath().normalize()).toString());
  }

  void write(Path p, byte[] data) throws IOException {
    inside(p);
    boolean existed = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    Files.write(p, data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    count(existed);
  }

  /** Temp file in the same folder, then an atomic rename over the target, as editors save. */
  void writeViaTemp(Path p, String tempName, byte[] data) throws IOException {
    inside(p);
    Path tmp = inside(p.resolveSibling(tempName));
    Files.write(tmp, data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    boolean existed = Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    count(existed);
  }

  void delete(Path p) throws IOException {
    inside(p);
    if (Files.deleteIfExists(p)) {
      deleted++;
    }
  }

  void count(boolean existed) {
    if (existed) {
      modified++;
    } else {
      created++;
    }
  }

  /** Regular files of the practice's data with one of the extensions, in a stable order. */
  List<Path> dataFiles(String... exts) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !NOT_DATA.contains(root.relativize(p).getName(0).toString()))
          .filter(p -> {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.startsWith("rempart-temoin")) {
              return false; // Sentinel's canary files: nobody at the practice opens "do not modify" files
            }
            if (exts.length == 0) {
              return !n.equals(MARKER);
            }
            for (String e : exts) {
              if (n.endsWith("." + e) && !n.startsWith("~$") && !n.startsWith(".")) {
                return true;
              }
            }
            return false;
          })
          .sorted().collect(Collectors.toList());
    }
  }

  List<String> dataTopLevel() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !NOT_DATA.contains(n) && !n.equals(MARKER))
          .filter(n -> Files.isDirectory(root.resolve(n), LinkOption.NOFOLLOW_LINKS))
          .sorted().collect(Collectors.toList());
    }
  }

  void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(root.toFile())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + cmd.get(0) + " (is it installed?): " + e.getMessage(), e);
    }
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + rc);
    }
  }

  byte[] execOutput(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(root.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
    return out;
  }

  static void sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  // ---------------------------------------------------------------------------------------------
  // zip / 7z / gzip: archives of the data folder

  void zip() throws Exception {
    Path archive = in("Archives/sauvegarde-donnees.zip");
    for (int round = 0; round < 2; round++) {
      // Written straight to the final name, then overwritten in place: what simple tools do.
      boolean existed = Files.exists(archive);
      try (OutputStream os = Files.newOutputStream(archive);
           ZipOutputStream zos = new ZipOutputStream(os)) {
        for (Path f : dataFiles()) {
          zos.putNextEntry(new ZipEntry(root.relativize(f).toString()));
          Files.copy(f, zos);
          zos.closeEntry();
        }
      }
      count(existed);
    }
  }

  void sevenZip() throws Exception {
    in("Archives/x");
    Path archive = in("Archives/donnees.7z");
    boolean existed = Files.exists(archive);
    List<String> cmd = new ArrayList<>(List.of("7z", "a", "-bd", "-y", "-mx=1",
        "Archives/donnees.7z"));
    cmd.addAll(dataTopLevel());
    exec(cmd);
    count(existed);
    // A day of work later: one note edited, then the archive is updated (7z rewrites it via a
    // temporary file and renames it).
    List<Path> txt = dataFiles("txt");
    if (!txt.isEmpty()) {
      Path t = txt.get(rnd.nextInt(txt.size()));
      Files.writeString(inside(t), "\nNote ajoutee: controle dans 3 mois.\n",
          StandardOpenOption.APPEND);
      modified++;
    }
    cmd.set(1, "u");
    exec(cmd);
    modified++;
  }

  void gzip() throws Exception {
    Path archive = in("Archives/donnees-2026-11-23.tar.gz");
    boolean existed = Files.exists(archive);
    List<String> cmd = new ArrayList<>(List.of("tar", "czf",
        root.relativize(archive).toString()));
    cmd.addAll(dataTopLevel());
    exec(cmd);
    count(existed);
    // Log rotation as logrotate (with "compress") does: older archives shift, the live log is
    // gzipped by gzip(1) (app.log.gz created, app.log deleted), a new empty log starts.
    Path log = in("Logs/app.log");
    for (int round = 0; round < 3; round++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 4000; i++) {
        sb.append(String.format(Locale.ROOT,
            "2026-11-23T%02d:%02d:%02d.%03d INFO [worker-%d] requete %s traitee en %d ms%n",
            8 + round, i / 60 % 60, i % 60, rnd.nextInt(1000), rnd.nextInt(8),
            Long.toHexString(rnd.nextLong()), rnd.nextInt(300)));
      }
      Files.writeString(log, sb, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      for (int k = 3; k >= 1; k--) {
        Path from = in("Logs/app.log." + k + ".gz");
        if (Files.exists(from)) {
          if (k == 3) {
            delete(from);
          } else {
            Files.move(from, in("Logs/app.log." + (k + 1) + ".gz"),
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      if (Files.exists(in("Logs/app.log.gz"))) {
        Files.move(in("Logs/app.log.gz"), in("Logs/app.log.1.gz"));
      }
      exec(List.of("gzip", "-f", "Logs/app.log"));
      created++;
      deleted++;
      Files.writeString(log, "", StandardOpenOption.CREATE_NEW);
      created++;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // jpeg: an imaging program

  static BufferedImage picture(SplittableRandom rnd, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int cx = rnd.nextInt(w), cy = rnd.nextInt(h), base = rnd.nextInt(0x1000000);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int d = (Math.abs(x - cx) + Math.abs(y - cy)) & 0xff;
        int noise = rnd.nextInt(24);
        int r = (((base >> 16) & 0xff) + d + noise) & 0xff;
        int g = (((base >> 8) & 0xff) + (x & 0xff) / 2 + noise) & 0xff;
        int b = ((base & 0xff) + (y & 0xff) / 2 + noise) & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ImageIO.write(img, format, bos);
    return bos.toByteArray();
  }

  void jpeg() throws Exception {
    // New photos imported from a dermatology camera.
    for (int i = 1; i <= 6; i++) {
      int w = 640 + rnd.nextInt(800);
      write(in(String.format(Locale.ROOT, "Photos/Import-2026-11-23/IMG_%04d.jpg", i)),
          encode(picture(rnd, w, w * 3 / 4), "jpg"));
    }
    // Existing photos edited (brightness, an annotation) and saved again.
    List<Path> jpgs = dataFiles("jpg", "jpeg");
    int n = Math.min(8, jpgs.size());
    for (int i = 0; i < n; i++) {
      Path p = jpgs.get(i * jpgs.size() / Math.max(1, n));
      BufferedImage img = ImageIO.read(p.toFile());
      if (img == null) {
        continue;
      }
      BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(),
          BufferedImage.TYPE_INT_RGB);
      Graphics2D g = out.createGraphics();
      g.drawImage(img, 0, 0, null);
      g.setColor(new Color(255, 255, 0));
      g.drawRect(img.getWidth() / 4, img.getHeight() / 4, img.getWidth() / 3, img.getHeight() / 3);
      g.dispose();
      for (int y = 0; y < out.getHeight(); y += 2) {
        for (int x = 0; x < out.getWidth(); x++) {
          int c = out.getRGB(x, y);
          int r = Math.min(255, ((c >> 16) & 0xff) + 12);
          out.setRGB(x, y, (c & 0xff00ffff) | (r << 16));
        }
      }
      byte[] data = encode(out, "jpg");
      if (i % 2 == 0) {
        write(p, data);
      } else {
        writeViaTemp(p, "." + p.getFileName() + ".tmp" + rnd.nextInt(10000), data);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // dicom: a radiology program (modality / PACS client)

  static final class Dicom {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static byte[] le(int v, int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) (v >>> (8 * i));
      }
      return b;
    }

    void header(int grp, int el, String vr, int len, boolean longForm) {
      out.writeBytes(le(grp, 2));
      out.writeBytes(le(el, 2));
      out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
      if (longForm) {
        out.writeBytes(new byte[2]);
        out.writeBytes(le(len, 4));
      } else {
        out.writeBytes(le(len, 2));
      }
    }

    Dicom str(int grp, int el, String vr, String value) {
      byte[] v = value.getBytes(StandardCharsets.US_ASCII);
      if ((v.length & 1) == 1) {
        v = java.util.Arrays.copyOf(v, v.length + 1);
        v[v.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
      }
      header(grp, el, vr, v.length, false);
      out.writeBytes(v);
      return this;
    }

    Dicom us(int grp, int el, int value) {
      header(grp, el, "US", 2, false);
      out.writeBytes(le(value, 2));
      return this;
    }

    static byte[] file(String sop, String patient, String date, String study, int rows, int cols,
        byte[] pixels) {
      Dicom meta = new Dicom();
      meta.header(0x0002, 0x0001, "OB", 2, true);
      meta.out.writeBytes(new byte[] {0, 1});
      meta.str(0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.1")
          .str(0x0002, 0x0003, "UI", sop).str(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1")
          .str(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.9.7777.1");
      byte[] m = meta.out.toByteArray();
      Dicom d = new Dicom();
      d.out.writeBytes(new byte[128]);
      d.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
      d.header(0x0002, 0x0000, "UL", 4, false);
      d.out.writeBytes(le(m.length, 4));
      d.out.writeBytes(m);
      d.str(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1").str(0x0008, 0x0018, "UI", sop)
          .str(0x0008, 0x0020, "DA", date).str(0x0008, 0x0060, "CS", "CR")
          .str(0x0008, 0x1030, "LO", study).str(0x0010, 0x0010, "PN", patient)
          .us(0x0028, 0x0002, 1).str(0x0028, 0x0004, "CS", "MONOCHROME2")
          .us(0x0028, 0x0010, rows).us(0x0028, 0x0011, cols).us(0x0028, 0x0100, 16)
          .us(0x0028, 0x0101, 12).us(0x0028, 0x0102, 11).us(0x0028, 0x0103, 0);
      d.header(0x7FE0, 0x0010, "OW", pixels.length, true);
      d.out.writeBytes(pixels);
      return d.out.toByteArray();
    }
  }

  byte[] pixels(int rows, int cols) {
    byte[] px = new byte[rows * cols * 2];
    int cx = rnd.nextInt(cols), cy = rnd.nextInt(rows);
    for (int y = 0, i = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++, i += 2) {
        int v = (2048 + (int) (1500 * Math.cos((x - cx) * 0.02) * Math.cos((y - cy) * 0.017))
            + rnd.nextInt(32)) & 0x0fff;
        px[i] = (byte) v;
        px[i + 1] = (byte) (v >> 8);
      }
    }
    return px;
  }

  void dicom() throws Exception {
    String[] patients = {"DURAND^ALICE", "PETIT^MARC", "ROUX^ELISE"};
    for (int s = 0; s < 3; s++) {
      String uid = "1.2.826.0.1.3680043.9.7777.2." + rnd.nextInt(1_000_000);
      String folder = String.format(Locale.ROOT, "Radiologie/%s_20261123_%d/",
          patients[s].replace('^', '_'), 100 + s);
      int images = 4 + rnd.nextInt(5);
      for (int i = 1; i <= images; i++) {
        int side = 256 << rnd.nextInt(2);
        write(in(folder + String.format(Locale.ROOT, "IM%04d.dcm", i)),
            Dicom.file(uid + "." + i, patients[s], "20261123", "THORAX F+P", side, side,
                pixels(side, side)));
      }
    }
    // Existing images re-labelled (study description corrected): the program rewrites the whole
    // file with the same pixels, through a temporary file.
    List<Path> existing = dataFiles("dcm");
    int n = Math.min(6, existing.size());
    for (int i = 0; i < n; i++) {
      Path p = existing.get(i * existing.size() / Math.max(1, n));
      byte[] old = Files.readAllBytes(p);
      int at = indexOf(old, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W'});
      if (at < 0) {
        continue;
      }
      byte[] px = java.util.Arrays.copyOfRange(old, at + 12, old.length);
      int rows = (int) Math.sqrt(px.length / 2.0);
      byte[] data = Dicom.file("1.2.826.0.1.3680043.9.7777.3." + rnd.nextInt(1_000_000),
          "PATIENT^CORRIGE", "20261123", "RELU - CORRECTION", rows, px.length / 2 / rows, px);
      if (i % 2 == 0) {
        writeViaTemp(p, p.getFileName() + ".part", data);
      } else {
        write(p, data);
      }
    }
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // office: Word / LibreOffice / Excel saves

  static Map<String, byte[]> unzip(byte[] data) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (ZipInputStream zis = new ZipInputStream(new ByteArrayInputStream(data))) {
      ZipEntry e;
      while ((e = zis.getNextEntry()) != null) {
        m.put(e.getName(), zis.readAllBytes());
      }
    }
    return m;
  }

  static byte[] rezip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream zos = new ZipOutputStream(bos)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey());
        if (e.getKey().equals("mimetype")) {
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          z.setMethod(ZipEntry.STORED);
          z.setSize(e.getValue().length);
          z.setCompressedSize(e.getValue().length);
          z.setCrc(crc.getValue());
        }
        zos.putNextEntry(z);
        zos.write(e.getValue());
        zos.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  static void edit(Map<String, byte[]> entries, String part, String closing, String insert) {
    byte[] xml = entries.get(part);
    if (xml == null) {
      return;
    }
    String s = new String(xml, StandardCharsets.UTF_8);
    int at = s.lastIndexOf(closing);
    if (at >= 0) {
      s = s.substring(0, at) + insert + s.substring(at);
      entries.put(part, s.getBytes(StandardCharsets.UTF_8));
    }
  }

  void office() throws Exception {
    List<Path> docx = dataFiles("docx");
    for (int i = 0; i < Math.min(6, docx.size()); i++) {
      Path p = docx.get(i * docx.size() / Math.min(6, docx.size()));
      String name = p.getFileName().toString();
      // Word: owner file "~$" + name (162 bytes) while the document is open.
      String owner = "~$" + (name.length() > 2 ? name.substring(2) : name);
      byte[] ownerData = new byte[162];
      byte[] user = "Dr Martin".getBytes(StandardCharsets.US_ASCII);
      ownerData[0] = (byte) user.length;
      System.arraycopy(user, 0, ownerData, 1, user.length);
      Path ownerFile = inside(p.resolveSibling(owner));
      Files.write(ownerFile, ownerData);
      Map<String, byte[]> e = unzip(Files.readAllBytes(p));
      edit(e, "word/document.xml", "</w:body>",
          "<w:p><w:r><w:t>Complement du 23/11/2026 : evolution favorable.</w:t></w:r></w:p>");
      byte[] data = rezip(e);
      if (i % 3 == 2) {
        write(p, data); // some saves go straight into the file
      } else {
        // Word's safe save: new content to ~WRDnnnn.tmp, original renamed to ~WRLnnnn.tmp, the
        // new file renamed to the document's name, the old copy deleted.
        Path wrd = inside(p.resolveSibling(String.format(Locale.ROOT, "~WRD%04d.tmp",
            rnd.nextInt(10000))));
        Path wrl = inside(p.resolveSibling(String.format(Locale.ROOT, "~WRL%04d.tmp",
            rnd.nextInt(10000))));
        Files.write(wrd, data);
        Files.move(p, wrl, StandardCopyOption.ATOMIC_MOVE);
        Files.move(wrd, p, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(wrl);
        modified++;
      }
      Files.delete(ownerFile);
      sleep(50);
    }
    List<Path> odt = dataFiles("odt");
    for (int i = 0; i < Math.min(4, odt.size()); i++) {
      Path p = odt.get(i * odt.size() / Math.min(4, odt.size()));
      // LibreOffice: .~lock.<name># lock file, save to luNNNN.tmp, rename over the document.
      Path lock = inside(p.resolveSibling(".~lock." + p.getFileName() + "#"));
      Files.writeString(lock, ",Dr Martin,CABINET-PC,23.11.2026 09:12,file:///home/cabinet/"
          + ".config/libreoffice/4;");
      Map<String, byte[]> e = unzip(Files.readAllBytes(p));
      edit(e, "content.xml", "</office:text>", "<text:p>Bien confraternellement.</text:p>");
      writeViaTemp(p, "lu" + (100000 + rnd.nextInt(900000)) + ".tmp", rezip(e));
      Files.delete(lock);
      sleep(50);
    }
    List<Path> xlsx = dataFiles("xlsx");
    for (int i = 0; i < Math.min(4, xlsx.size()); i++) {
      Path p = xlsx.get(i * xlsx.size() / Math.min(4, xlsx.size()));
      Map<String, byte[]> e = unzip(Files.readAllBytes(p));
      edit(e, "xl/worksheets/sheet1.xml", "</sheetData>",
          "<row r=\"9999\"><c r=\"A9999\" t=\"inlineStr\"><is><t>Total</t></is></c></row>");
      byte[] data = rezip(e);
      if (i % 2 == 0) {
        write(p, data);
      } else {
        writeViaTemp(p, String.format(Locale.ROOT, "%08X", rnd.nextInt()), data);
      }
    }
    for (Path p : dataFiles("txt", "csv").stream().limit(6).collect(Collectors.toList())) {
      String line = p.toString().endsWith(".csv")
          ? "2026-11-23;NOUVEAU Patient;G;26,50;CB\n" : "\n23/11/2026 : vu en consultation.\n";
      Files.writeString(inside(p), line, StandardOpenOption.APPEND);
      modified++;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // database: the practice-management software's SQLite database

  static final String[] NAMES = {"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT",
      "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT", "MICHEL", "GARCIA", "ROUX"};

  void fillPage(ByteBuffer page) {
    page.clear();
    page.put(0, (byte) 0x0D);
    int pos = page.capacity();
    while (true) {
      byte[] rec = (NAMES[rnd.nextInt(NAMES.length)] + "|2026-" + (1 + rnd.nextInt(12)) + "-"
          + (1 + rnd.nextInt(28)) + "|consultation|" + (25 + rnd.nextInt(50)) + ".00|")
          .getBytes(StandardCharsets.US_ASCII);
      if (pos - rec.length < 64) {
        break;
      }
      pos -= rec.length;
      page.put(pos, rec);
    }
  }

  void database() throws Exception {
    Path db = in("Logiciel/cabinet.db");
    long pages = dbMib * 256L;
    ByteBuffer page = ByteBuffer.allocate(4096);
    if (!Files.exists(db) || Files.size(db) < pages * 4096) {
      try (FileChannel ch = FileChannel.open(db, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int p = 0; p < 256; p++) {
          fillPage(page);
          chunk.put(p * 4096, page.array());
        }
        for (long mb = 0; mb < dbMib; mb++) {
          chunk.clear();
          while (chunk.hasRemaining()) {
            ch.write(chunk);
          }
        }
        ByteBuffer h = ByteBuffer.allocate(100).order(ByteOrder.BIG_ENDIAN);
        h.put("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
        h.putShort(16, (short) 4096).put(18, (byte) 1).put(19, (byte) 1);
        h.put(21, (byte) 64).put(22, (byte) 32).put(23, (byte) 32);
        h.putInt(28, (int) pages).putInt(44, 4).putInt(56, 1).putInt(96, 3037002);
        h.clear();
        ch.write(h, 0);
      }
      created++;
    }
    long end = System.nanoTime() + durationS * 1_000_000_000L;
    int tx = 0;
    try (FileChannel ch = FileChannel.open(db, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      do {
        boolean wal = tx % 5 == 4;
        Path side = in("Logiciel/cabinet.db" + (wal ? "-wal" : "-journal"));
        int n = 1 + rnd.nextInt(8);
        long[] targets = new long[n];
        for (int i = 0; i < n; i++) {
          targets[i] = 1 + (long) (rnd.nextDouble() * (pages - 1));
        }
        try (FileChannel j = FileChannel.open(side, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          // Rollback journal: the original pages are saved first (WAL: the new pages).
          ByteBuffer jh = ByteBuffer.allocate(512);
          jh.put(new byte[] {(byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20, (byte) 0xa1,
              0x63, (byte) 0xd7});
          jh.clear();
          j.write(jh);
          for (long t : targets) {
            page.clear();
            ch.read(page, t * 4096);
            page.clear();
            j.write(page);
          }
          j.force(false);
        }
        for (long t : targets) {
          fillPage(page);
          page.clear();
          ch.write(page, t * 4096);
        }
        ByteBuffer counter = ByteBuffer.allocate(4).putInt(0, tx + 1);
        ch.write(counter, 24);
        ch.force(false);
        Files.delete(side);
        modified++;
        tx++;
        sleep(20 + rnd.nextInt(80));
      } while (System.nanoTime() < end);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // update: a software update of an installed program

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = rnd.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) {
        b[i + k] = (byte) (v >>> (8 * k));
      }
    }
    return b;
  }

  byte[] pe(int size) {
    byte[] b = randomBytes(size);
    java.util.Arrays.fill(b, 0, 0x80, (byte) 0);
    b[0] = 'M';
    b[1] = 'Z';
    b[2] = (byte) 0x90;
    b[0x3C] = (byte) 0x80; // e_lfanew
    byte[] stub = "This program cannot be run in DOS mode.\r\r\n$"
        .getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(stub, 0, b, 0x4E, stub.length);
    ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    h.put(0x80, (byte) 'P').put(0x81, (byte) 'E').put(0x82, (byte) 0).put(0x83, (byte) 0);
    h.putShort(0x84, (short) 0x8664); // machine: x86-64
    h.putShort(0x86, (short) 4); // sections
    h.putShort(0x94, (short) 0xF0); // optional header size
    h.putShort(0x96, (short) 0x22); // characteristics: executable, large address aware
    h.putShort(0x98, (short) 0x20B); // PE32+
    return b;
  }

  byte[] zipOf(int entries, int entrySize, String suffix) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream zos = new ZipOutputStream(bos)) {
      for (int i = 0; i < entries; i++) {
        zos.putNextEntry(new ZipEntry("eu/cabinet/app/Module" + i + suffix));
        // Compiled code and resources: partly structured, partly already compressed.
        byte[] data = randomBytes(entrySize);
        for (int k = 0; k < data.length; k += 3) {
          data[k] = (byte) (k & 0x1f);
        }
        zos.write(data);
        zos.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  byte[] gz(byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
      g.write(data);
    }
    return bos.toByteArray();
  }

  Map<String, byte[]> release(String v) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("lib/core-" + v + ".jar", zipOf(40, 4000 + rnd.nextInt(8000), ".class"));
    m.put("lib/ui-" + v + ".jar", zipOf(20, 3000 + rnd.nextInt(6000), ".class"));
    m.put("resources-" + v + ".zip", zipOf(10, 20000, ".png"));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20000; i++) {
      sb.append("code_acte_").append(i).append(';').append(rnd.nextInt(500)).append('\n');
    }
    m.put("data/nomenclature-" + v + ".csv.gz", gz(sb.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] cab = randomBytes(200_000 + rnd.nextInt(200_000));
    System.arraycopy("MSCF\0\0\0\0".getBytes(StandardCharsets.US_ASCII), 0, cab, 0, 8);
    m.put("setup/pilotes.cab", cab);
    m.put("App.exe", pe(600_000 + rnd.nextInt(400_000)));
    m.put("engine.dll", pe(300_000 + rnd.nextInt(300_000)));
    m.put("model.bin", randomBytes(500_000));
    return m;
  }

  void update() throws Exception {
    String base = "Programmes/App/";
    String[] versions = {"4.1.0", "4.2.0", "4.2.1"};
    Map<String, byte[]> previous = null;
    if (!Files.exists(in(base + "App.exe"))) {
      previous = release(versions[0]);
      for (Map.Entry<String, byte[]> e : previous.entrySet()) {
        write(in(base + e.getKey()), e.getValue());
      }
    }
    for (int k = 1; k < versions.length; k++) {
      Map<String, byte[]> next = release(versions[k]);
      for (Map.Entry<String, byte[]> e : next.entrySet()) {
        Path target = in(base + e.getKey());
        writeViaTemp(target, target.getFileName() + ".new", e.getValue());
        sleep(10);
      }
      // Obsolete versioned files are removed once the new ones are in place.
      String old = versions[k - 1];
      for (String rel : List.of("lib/core-" + old + ".jar", "lib/ui-" + old + ".jar",
          "resources-" + old + ".zip", "data/nomenclature-" + old + ".csv.gz")) {
        delete(in(base + rel));
      }
      write(in(base + "version.txt"), (versions[k] + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // backup-tool: another backup program writing encrypted archives

  void backupTool() throws Exception {
    Path dest = in("Sauvegardes/x").getParent();
    List<String> top = dataTopLevel();
    List<String> smaller = top.stream().filter(n -> !n.equals("Radiologie"))
        .collect(Collectors.toList());
    int existing;
    try (Stream<Path> s = Files.list(dest)) {
      existing = (int) s.filter(p -> p.getFileName().toString().startsWith("backup-")).count();
    }
    for (int i = 1; i <= 6; i++) {
      int no = existing + i;
      List<String> cmd = new ArrayList<>(List.of("tar", "czf", "-"));
      cmd.addAll(smaller.isEmpty() ? top : smaller);
      byte[] tgz = execOutput(cmd);
      String stem = String.format(Locale.ROOT, "backup-2026-11-%02d-%03d", 1 + no % 28, no);
      if (i % 3 != 0) {
        write(in("Sauvegardes/" + stem + ".tar.gz.enc"), opensslEnc(tgz));
      } else {
        write(in("Sauvegardes/" + stem + ".tar.gz.gpg"), gpgLike(tgz));
      }
      // Rotation: keep the 4 newest archives.
      List<Path> all;
      try (Stream<Path> s = Files.list(dest)) {
        all = s.filter(p -> p.getFileName().toString().startsWith("backup-"))
            .sorted(Comparator.comparing(p -> p.getFileName().toString().substring(18)))
            .collect(Collectors.toList());
      }
      for (int k = 0; k < all.size() - 4; k++) {
        delete(all.get(k));
      }
      sleep(100);
    }
  }

  /** What {@code openssl enc -aes-256-cbc -pbkdf2 -salt} writes. */
  byte[] opensslEnc(byte[] plain) throws Exception {
    byte[] salt = randomBytes(8);
    SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    byte[] kiv = f.generateSecret(new PBEKeySpec("mot-de-passe-sauvegarde".toCharArray(), salt,
        10000, 384)).getEncoded();
    Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kiv, 0, 32, "AES"),
        new IvParameterSpec(kiv, 32, 16));
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    bos.writeBytes("Salted__".getBytes(StandardCharsets.US_ASCII));
    bos.writeBytes(salt);
    bos.writeBytes(c.doFinal(plain));
    return bos.toByteArray();
  }

  /** OpenPGP symmetric encryption layout: SKESK packet (tag 3) then SEIPD packet (tag 18). */
  byte[] gpgLike(byte[] plain) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    byte[] salt = randomBytes(8);
    // Old-format packet header 0x8C (tag 3, one-byte length), as gpg writes it.
    bos.writeBytes(new byte[] {(byte) 0x8C, 13, 4, 9, 3, 8});
    bos.writeBytes(salt);
    bos.write(0xEE); // S2K iteration count byte
    byte[] key = MessageDigest.getInstance("SHA-256").digest(salt);
    Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
    byte[] body = c.doFinal(plain);
    bos.write(0xD2);
    bos.write(0xFF);
    bos.writeBytes(ByteBuffer.allocate(4).putInt(body.length + 1).array());
    bos.write(1);
    bos.writeBytes(body);
    return bos.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------
  // browser-cache: Chromium's simple cache under AppData

  void browserCache() throws Exception {
    String base = "AppData/Cache/Cache_Data/";
    List<byte[]> jpegs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jpegs.add(encode(picture(rnd, 120 + rnd.nextInt(300), 90 + rnd.nextInt(200)), "jpg"));
    }
    write(in(base + "index"), randomBytes(256));
    List<String> live = new ArrayList<>();
    long end = System.nanoTime() + durationS * 1_000_000_000L;
    int ops = 0;
    do {
      int op = rnd.nextInt(10);
      if (op < 5 || live.size() < 10) {
        String name = String.format(Locale.ROOT, "%016x_0", rnd.nextLong());
        write(in(base + name), cacheEntry(jpegs));
        live.add(name);
      } else if (op < 8) {
        write(in(base + live.get(rnd.nextInt(live.size()))), cacheEntry(jpegs));
      } else {
        delete(in(base + live.remove(rnd.nextInt(live.size()))));
      }
      ops++;
      if (ops % 10 == 0) {
        sleep(15);
      }
    } while (System.nanoTime() < end && ops < 20000);
  }

  byte[] cacheEntry(List<byte[]> jpegs) throws IOException {
    String url = "https://www.ameli.fr/assets/" + Long.toHexString(rnd.nextLong()) + ".js";
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ByteBuffer h = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    h.putLong(0xfcfb6d1ba7725c30L).putInt(5).putInt(url.length()).putInt(url.hashCode());
    bos.writeBytes(h.array());
    bos.writeBytes(url.getBytes(StandardCharsets.US_ASCII));
    int kind = rnd.nextInt(4);
    StringBuilder json = new StringBuilder("{\"items\":[");
    for (int i = 0, n = 5 + rnd.nextInt(60); i < n; i++) {
      json.append(i == 0 ? "" : ",").append("{\"id\":").append(rnd.nextInt(100000))
          .append(",\"label\":\"").append(NAMES[rnd.nextInt(NAMES.length)]).append("\"}");
    }
    json.append("]}");
    byte[] j = json.toString().getBytes(StandardCharsets.UTF_8);
    switch (kind) {
      case 0: bos.writeBytes(gz(j)); break;
      case 1: bos.writeBytes(randomBytes(500 + rnd.nextInt(60000))); break; // brotli: looks random
      case 2: bos.writeBytes(jpegs.get(rnd.nextInt(jpegs.size()))); break;
      default: bos.writeBytes(j);
    }
    return bos.toByteArray();
  }
}
