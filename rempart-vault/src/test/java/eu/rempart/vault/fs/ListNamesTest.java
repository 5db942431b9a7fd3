package eu.rempart.vault.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListNamesTest {
    @TempDir
    Path tmp;

    @Test
    void listsRawNamesLikeTheJdkAndLeavesTheAccessTimeAlone() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        List<byte[]> expected = new ArrayList<>();
        expected.add("plain.txt".getBytes(StandardCharsets.US_ASCII));
        expected.add(new byte[] {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe});
        expected.add("é\nnewline".getBytes(StandardCharsets.UTF_8));
        expected.add("x".repeat(255).getBytes(StandardCharsets.US_ASCII));
        expected.add(".hidden".getBytes(StandardCharsets.US_ASCII));
        for (byte[] n : expected) {
            Files.write(FileNames.resolve(dir, n), n);
        }
        Files.createDirectory(dir.resolve("sub"));
        expected.add("sub".getBytes(StandardCharsets.US_ASCII));
        FileTime old = FileTime.fromMillis(946_684_800_000L);
        Files.setAttribute(dir, "lastAccessTime", old, LinkOption.NOFOLLOW_LINKS);

        List<byte[]> names = new ArrayList<>(FileSystemAccess.listNames(dir));
        Comparator<byte[]> order = Arrays::compareUnsigned;
        names.sort(order);
        expected.sort(order);
        assertThat(names).hasSameSizeAs(expected);
        for (int i = 0; i < names.size(); i++) {
            assertThat(names.get(i)).isEqualTo(expected.get(i));
        }
        assertThat(Files.getAttribute(dir, "lastAccessTime", LinkOption.NOFOLLOW_LINKS)).isEqualTo(old);

        assertThat(FileSystemAccess.listNames(Files.createDirectory(tmp.resolve("empty")))).isEmpty();
        assertThatThrownBy(() -> FileSystemAccess.listNames(tmp.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThatThrownBy(() -> FileSystemAccess.listNames(dir.resolve("plain.txt")))
                .isInstanceOf(IOException.class);
    }
}
