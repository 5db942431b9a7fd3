package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.FileType;
import eu.rempart.vault.Id;
import eu.rempart.vault.backend.Backend;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.pack.PackedBlob;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * restic's {@code list}: the ids of the repository's files of one type, or of its blobs ("data ID"
 * and "tree ID" lines, from the index), one per line, for scripts and investigations.
 */
@Command(name = "list", description = "list the ids of the repository's files: blobs, packs, index, snapshots, keys or locks")
final class ListCommand implements Callable<Integer> {
    private static final Map<String, FileType> TYPES = Map.of("packs", FileType.PACK, "index", FileType.INDEX,
            "snapshots", FileType.SNAPSHOT, "keys", FileType.KEY, "locks", FileType.LOCK);

    @ParentCommand
    Cli cli;

    @Parameters(index = "0", paramLabel = "TYPE", description = "blobs, packs, index, snapshots, keys or locks")
    String type;

    @Override
    public Integer call() throws Exception {
        String t = type.toLowerCase(Locale.ROOT);
        if (!t.equals("blobs") && !TYPES.containsKey(t)) {
            throw new CliException(ExitCodes.ERROR, "list.type", type);
        }
        List<String[]> lines = new ArrayList<>();
        try (Repository repo = cli.open()) {
            if (t.equals("locks")) {
                idNames(repo, FileType.LOCK).forEach(n -> lines.add(new String[] {n})); // as restic: no lock for this
            } else if (t.equals("blobs")) {
                try (Lock lock = cli.lockAndLoadIndex(repo)) {
                    for (PackedBlob b : repo.index().all()) {
                        lines.add(new String[] {b.type().json(), b.id().toHex()});
                    }
                }
            } else {
                try (Lock lock = cli.lock(repo, false)) {
                    idNames(repo, TYPES.get(t)).forEach(n -> lines.add(new String[] {n}));
                }
            }
        }
        lines.sort(Comparator.comparing((String[] l) -> l[l.length - 1]).thenComparing(l -> l[0]));
        if (cli.json) {
            ArrayNode a = Cli.JSON.createArrayNode();
            for (String[] l : lines) {
                if (l.length == 2) {
                    a.addObject().put("type", l[0]).put("id", l[1]);
                } else {
                    a.add(l[0]);
                }
            }
            cli.printJson(a);
        } else {
            for (String[] l : lines) {
                cli.out.println(String.join(" ", l));
            }
        }
        return ExitCodes.OK;
    }

    /** The stored files' names that are ids: restic ignores the others (temporary files). */
    static List<String> idNames(Repository repo, FileType type) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (Backend.FileInfo f : repo.backend().list(type)) {
            if (Id.isFileName(f.name())) {
                out.add(f.name());
            }
        }
        return out;
    }
}
