package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.GoTime;
import eu.rempart.vault.Id;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

@Command(name = "key", description = "manage the passwords (key files) of the repository")
final class KeyCommand {
    @ParentCommand
    Cli cli;

    @Command(name = "list", description = "list key files")
    int list() throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, false)) {
            List<Repository.KeyInfo> keys = repo.listKeys();
            if (cli.json) {
                ArrayNode a = Cli.JSON.createArrayNode();
                for (Repository.KeyInfo k : keys) {
                    a.addObject().put("current", k.current()).put("id", k.id().toHex()).put("userName", k.username())
                            .put("hostName", k.hostname()).put("created", k.created() == null ? "" : GoTime.format(k.created()));
                }
                cli.printJson(a);
                return ExitCodes.OK;
            }
            Messages m = cli.msg();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {" " + m.get("key.id"), m.get("key.user"), m.get("key.host"), m.get("key.created")});
            for (Repository.KeyInfo k : keys) {
                rows.add(new String[] {(k.current() ? "*" : " ") + k.id().shortHex(), k.username(), k.hostname(),
                        k.created() == null ? "" : SnapshotsCommand.TIME.format(k.created())});
            }
            Table.print(cli.out, rows);
        }
        return ExitCodes.OK;
    }

    @Command(name = "add", description = "add a password")
    int add(@Option(names = "--new-password-file", paramLabel = "FILE",
            description = "file holding the new password (default: $REMPART_NEW_PASSWORD, else asked twice)") Path newPasswordFile) throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, false)) {
            char[] pw = cli.newPassword(newPasswordFile);
            try {
                Id id = repo.addKey(pw, cli.kdf(), cli.username(), cli.hostname());
                done("key.added", id);
            } finally {
                Arrays.fill(pw, '\0');
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "remove", description = "remove a password (not the one in use)")
    int remove(@Parameters(paramLabel = "ID", description = "the key file's id or a unique prefix of it (see key list)") String id) throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            repo.removeKey(id);
            cli.say("key.removed", id);
        }
        return ExitCodes.OK;
    }

    @Command(name = "passwd", description = "change the password in use")
    int passwd(@Option(names = "--new-password-file", paramLabel = "FILE",
            description = "file holding the new password (default: $REMPART_NEW_PASSWORD, else asked twice)") Path newPasswordFile) throws Exception {
        try (Repository repo = cli.open(); Lock lock = cli.lock(repo, true)) {
            char[] pw = cli.newPassword(newPasswordFile);
            try {
                Id id = repo.changePassword(pw, cli.kdf(), cli.username(), cli.hostname());
                done("key.changed", id);
            } finally {
                Arrays.fill(pw, '\0');
            }
        }
        return ExitCodes.OK;
    }

    private void done(String key, Id id) {
        if (cli.json) {
            cli.printJson(Cli.JSON.createObjectNode().put("id", id.toHex()));
        } else {
            cli.say(key, id.shortHex());
        }
    }
}
