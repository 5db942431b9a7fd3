package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import eu.rempart.vault.checker.CheckOptions;
import eu.rempart.vault.checker.CheckResult;
import eu.rempart.vault.checker.Checker;
import eu.rempart.vault.checker.Finding;
import eu.rempart.vault.lock.Lock;
import eu.rempart.vault.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * restic's {@code migrate}: without a name, lists the migrations and whether they apply; with
 * {@code upgrade_repo_v2}, moves a repository of restic 0.13 or older (format 1) to format 2, so
 * that new backups are compressed. The only migration restic 0.14 has that Rempart needs:
 * {@code compress_repo_v2} is {@code prune --repack-uncompressed}, and {@code s3_layout} concerns
 * a layout Rempart never writes.
 */
@Command(name = "migrate", description = "upgrade a repository of restic 0.13 or older to format version 2 (upgrade_repo_v2)")
final class MigrateCommand implements Callable<Integer> {
    static final String UPGRADE_REPO_V2 = "upgrade_repo_v2";

    @ParentCommand
    Cli cli;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "the migration to apply: upgrade_repo_v2")
    String name;

    @Override
    public Integer call() throws Exception {
        if (name != null && !name.equals(UPGRADE_REPO_V2)) {
            throw new CliException(ExitCodes.ERROR, "migrate.unknown", name);
        }
        // the structure check judges the store itself, as check does, not a cache
        try (Repository repo = cli.openUncached()) {
            int version = repo.config().version();
            if (name == null) {
                if (cli.json) {
                    ArrayNode a = Cli.JSON.createArrayNode();
                    a.addObject().put("name", UPGRADE_REPO_V2).put("applicable", version == 1)
                            .put("repository_version", version);
                    cli.printJson(a);
                } else {
                    cli.say(version == 1 ? "migrate.available" : "migrate.none", UPGRADE_REPO_V2, version);
                }
                return ExitCodes.OK;
            }
            if (version != 1) {
                throw new CliException(ExitCodes.ERROR, "migrate.already", version);
            }
            try (Lock lock = cli.lock(repo, true)) {
                // restic checks first too: a damaged repository is repaired before it is changed
                cli.say("migrate.checking");
                CheckResult r = new Checker(repo, null).check(CheckOptions.structure());
                if (!r.ok()) {
                    for (Finding f : r.errors()) {
                        cli.err.println("rempart: " + CheckCommand.say(cli.msg(), f));
                    }
                    throw new CliException(ExitCodes.ERROR, "migrate.damaged", r.errors().size());
                }
                repo.upgradeToVersion2();
            }
            if (cli.json) {
                cli.printJson(Cli.JSON.createObjectNode().put("migration", UPGRADE_REPO_V2).put("repository_version", 2));
            } else {
                cli.say("migrate.done");
            }
        }
        return ExitCodes.OK;
    }
}
