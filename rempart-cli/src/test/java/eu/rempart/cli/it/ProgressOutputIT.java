package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress lines are for terminals only: piped or --json output is just the report. */
class ProgressOutputIT extends ItBase {
    @Test
    void noProgressWhenNotATerminalOrJson() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        // big enough that a terminal would see several progress refreshes (every 250 ms)
        for (int i = 0; i < 3; i++) {
            writeKeystream(src.resolve("f" + i), 40L << 20, i);
        }
        ok("init");

        CommandRun json = ok("backup", "--json", src.toString());
        assertThat(json.err()).isEmpty();
        assertThat(json.out().lines().toList()).hasSize(1);
        assertThat(json.json().path("message_type").asText()).isEqualTo("summary");

        CommandRun human = ok("backup", "--force", src.toString());
        assertThat(human.err()).isEmpty();
        assertThat(human.out()).doesNotContain("\r").doesNotContain("\u001b").contains("Snapshot");
        assertThat(human.out().lines().toList()).allSatisfy(l -> assertThat(l).doesNotContain("ETA"));

        // control: under a pseudo-terminal the same backup does show progress, so the absence
        // above is the terminal detection at work, not a progress display that never prints
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux script(1) is needed for the pseudo-terminal control");
        Path typescript = tmp.resolve("scratch/typescript");
        List<String> cmd = new ArrayList<>(List.of("script", "-qefc"));
        cmd.add(String.join(" ", rempart.command("backup", "--force", src.toString()).stream()
                .map(ProgressOutputIT::shellQuote).toList()));
        cmd.add(typescript.toString());
        CommandRun tty = rempart.runCommand(cmd);
        assertThat(tty.code()).as(tty.toString()).isZero();
        assertThat(tty.out()).contains("\r").contains("Snapshot");

        List<String> jsonCmd = new ArrayList<>(List.of("script", "-qefc"));
        jsonCmd.add(String.join(" ", rempart.command("backup", "--force", "--json", src.toString()).stream()
                .map(ProgressOutputIT::shellQuote).toList()));
        jsonCmd.add(typescript.toString());
        CommandRun ttyJson = rempart.runCommand(jsonCmd);
        assertThat(ttyJson.code()).as(ttyJson.toString()).isZero();
        assertThat(ttyJson.out().strip().lines().toList()).hasSize(1);
        assertThat(RempartProcess.JSON.readTree(ttyJson.out().strip()).path("message_type").asText()).isEqualTo("summary");

        // a restore too: progress against the snapshot's totals on a terminal, none when piped or --json
        CommandRun pipedRestore = ok("restore", "latest", "--target", tmp.resolve("piped").toString());
        assertThat(pipedRestore.err()).isEmpty();
        assertThat(pipedRestore.out()).doesNotContain("\r").contains("Restored: 3 files");
        List<String> restoreCmd = new ArrayList<>(List.of("script", "-qefc"));
        restoreCmd.add(String.join(" ", rempart.command("restore", "latest", "--target", tmp.resolve("tty").toString())
                .stream().map(ProgressOutputIT::shellQuote).toList()));
        restoreCmd.add(typescript.toString());
        CommandRun ttyRestore = rempart.runCommand(restoreCmd);
        assertThat(ttyRestore.code()).as(ttyRestore.toString()).isZero();
        // the first lines may come before the count of the snapshot's files is done
        assertThat(ttyRestore.out()).contains("\r").containsPattern("files of \\d found|/ 3 files, ")
                .contains("Restored: 3 files");
        List<String> restoreJson = new ArrayList<>(List.of("script", "-qefc"));
        restoreJson.add(String.join(" ", rempart.command("restore", "--json", "latest", "--target",
                tmp.resolve("tty-json").toString()).stream().map(ProgressOutputIT::shellQuote).toList()));
        restoreJson.add(typescript.toString());
        CommandRun ttyRestoreJson = rempart.runCommand(restoreJson);
        assertThat(ttyRestoreJson.code()).as(ttyRestoreJson.toString()).isZero();
        assertThat(ttyRestoreJson.out().strip().lines().toList()).hasSize(1);
        assertThat(RempartProcess.JSON.readTree(ttyRestoreJson.out().strip()).path("files_restored").asInt()).isEqualTo(3);

        // and a copy, with no total known ahead: the snapshot under way, blobs and bytes copied
        env.put("REMPART_FROM_PASSWORD", PASSWORD);
        Path piped = tmp.resolve("copy-piped");
        okAt(piped.toString(), "init");
        CommandRun pipedCopy = okAt(piped.toString(), "copy", "--from-repo", repo.toString());
        assertThat(pipedCopy.err()).isEmpty();
        assertThat(pipedCopy.out()).doesNotContain("\r").contains("4 snapshot(s) copied");
        Path viaTty = tmp.resolve("copy-tty");
        okAt(viaTty.toString(), "init");
        List<String> copyCmd = new ArrayList<>(List.of("script", "-qefc"));
        copyCmd.add(String.join(" ", rempart.command("-r", viaTty.toString(), "copy", "--from-repo", repo.toString())
                .stream().map(ProgressOutputIT::shellQuote).toList()));
        copyCmd.add(typescript.toString());
        CommandRun ttyCopy = rempart.runCommand(copyCmd);
        assertThat(ttyCopy.code()).as(ttyCopy.toString()).isZero();
        assertThat(ttyCopy.out()).containsPattern("\r\\[0:\\d\\d] snapshot 1 / 4, \\d+ blobs? copied, ")
                .contains("4 snapshot(s) copied");
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
