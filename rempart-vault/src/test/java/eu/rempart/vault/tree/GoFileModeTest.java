package eu.rempart.vault.tree;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Go's FileMode.String() for the modes restic stores (values from Go's os package). */
class GoFileModeTest {
    @Test
    void stringsAreGos() {
        assertThat(GoFileMode.toString(0644)).isEqualTo("-rw-r--r--");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.DIR, 0755))).isEqualTo("drwxr-xr-x");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.DIR, 01777))).isEqualTo("dtrwxrwxrwx");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.FILE, 04755))).isEqualTo("urwxr-xr-x");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.FILE, 02755))).isEqualTo("grwxr-xr-x");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.SYMLINK, 0777))).isEqualTo("Lrwxrwxrwx");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.CHARDEV, 0620))).isEqualTo("Dcrw--w----");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.DEV, 0660))).isEqualTo("Drw-rw----");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.FIFO, 0644))).isEqualTo("prw-r--r--");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.SOCKET, 0755))).isEqualTo("Srwxr-xr-x");
        assertThat(GoFileMode.toString(GoFileMode.of(NodeType.IRREGULAR, 0))).isEqualTo("?---------");
        // restic's 2148532735 for /tmp: directory, sticky, 0777
        assertThat(GoFileMode.toString(2148532735L)).isEqualTo("dtrwxrwxrwx");
    }
}
