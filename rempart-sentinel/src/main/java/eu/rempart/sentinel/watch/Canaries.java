package eu.rempart.sentinel.watch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Canary files: ordinary-looking Word documents Sentinel places in the watched folders. Nobody has a
 * reason to write them, and ransomware encrypts whatever it finds, so any write, rename or deletion
 * of one is an alert by itself. Their name tells the practice's staff to leave them alone.
 */
final class Canaries {
    static final String NAME = "Rempart-temoin-ne-pas-modifier.docx";
    /** The watched roots and their direct sub-folders, at most this many. */
    private static final int MAX = 200;

    private Canaries() {
    }

    /** Places (or finds) a canary in each root and each of its direct sub-folders. */
    static List<Path> place(List<Path> roots) throws IOException {
        List<Path> folders = new ArrayList<>();
        for (Path root : roots) {
            folders.add(root);
            try (Stream<Path> children = Files.list(root)) {
                children.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .sorted().forEach(folders::add);
            }
        }
        List<Path> placed = new ArrayList<>();
        for (Path folder : folders.subList(0, Math.min(MAX, folders.size()))) {
            Path canary = folder.resolve(NAME);
            if (!Files.exists(canary)) {
                try {
                    write(canary, folder.toString().hashCode());
                } catch (IOException e) {
                    continue; // a read-only folder: no canary there
                }
            }
            placed.add(canary);
        }
        return placed;
    }

    /** A small but genuine .docx (a ZIP with the parts Word expects), different in each folder. */
    private static void write(Path file, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder("Fichier témoin Rempart : ne pas ouvrir, modifier ni supprimer. ");
        for (int i = 0; i < 200; i++) {
            text.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, "[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
            entry(zip, "word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>"
                    + text + "</w:t></w:r></w:p></w:body></w:document>");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void entry(ZipOutputStream zip, String name, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
