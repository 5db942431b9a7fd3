package eu.rempart.cli;

import eu.rempart.vault.testing.Restic;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A repository that a command-line test writes with Rempart (in this process) and also reads with
 * restic 0.14, to compare what both print about the same snapshots.
 */
record SharedRepository(Path dir, Map<String, String> env, Restic restic) {
    /** Initialises one with Rempart at {@code dir}; skips the test where restic is not installed. */
    static SharedRepository init(Path dir, String password) {
        assumeTrue(Restic.available(), "restic is not installed");
        SharedRepository r = new SharedRepository(dir, CommandRun.env(dir, password), new Restic(dir, password));
        r.ok("init");
        return r;
    }

    /** Runs a Rempart command; fails, with all it printed, unless it exits with 0. */
    CommandRun ok(String... args) {
        return CommandRun.inProcess(StandardCharsets.UTF_8, env, args).assertOk(args);
    }
}
