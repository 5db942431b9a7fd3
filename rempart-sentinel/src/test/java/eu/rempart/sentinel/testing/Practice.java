package eu.rempart.sentinel.testing;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Genuine files of the formats a practice writes, deterministic for a seed. */
public final class Practice {
    private Practice() {
    }

    public static byte[] text(int seed, int size) {
        Random r = new Random(seed);
        String[] words = {"patient", "rendez-vous", "ordonnance", "dent", "radiographie", "facture", "mutuelle",
                "consultation", "détartrage", "couronne", "implant", "le", "la", "de", "et", "pour", "à"};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? ".\n" : " ");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] docx(int seed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.write("<Types/>".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            zip.write(text(seed, 20_000));
        }
        return out.toByteArray();
    }

    public static byte[] pdf(int seed) {
        String body = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n2 0 obj << /Length 9000 >> stream\nBT /F1 12 Tf ("
                + new String(text(seed, 9000), StandardCharsets.UTF_8) + ") Tj ET\nendstream endobj\n%%EOF\n";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] jpeg(int seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 160; x++) {
                int v = (x * y / 40 + r.nextInt(30)) & 0xFF;
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
