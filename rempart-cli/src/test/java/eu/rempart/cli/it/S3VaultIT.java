package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.S3Server;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An S3 vault against a real S3 server on 127.0.0.1 (S3Proxy, file-system store, AWS signatures):
 * Rempart writes, restic reads, and the other way round; copy to S3; bad credentials.
 */
class S3VaultIT extends ItBase {
    @Test
    void backupRestoreCheckAndCopyThroughS3ReadableByRestic() throws Exception {
        secrets.add(S3Server.SECRET_KEY);
        try (S3Server s3 = S3Server.start(tmp.resolve("s3store"))) {
            env.putAll(S3Server.env());
            String loc = s3.repo("practice-vault", "cabinet");
            okAt(loc, "init");
            Path src = smallTree("src", 31);
            writeKeystream(src.resolve("scan.bin"), 20 << 20, 31);
            // 5 MiB parts: every pack above that goes up as a multipart upload
            String id = okAt(loc, "-o", "s3.part-size=5242880", "backup", "--json", src.toString())
                    .json().path("snapshot_id").asText();
            Path t = tmp.resolve("restore");
            okAt(loc, "restore", id, "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();

            // restic's own s3 backend reads the repository, and writes into it.
            Restic r = new Restic(loc, PASSWORD).withEnv(S3Server.env());
            r.run("check", "--read-data").assertOk();
            Path t2 = tmp.resolve("restic-restore");
            r.run("restore", id, "--target", t2.toString()).assertOk();
            assertThat(resticDiff(src, within(t2, src))).isEmpty();
            Files.writeString(src.resolve("by-restic.txt"), "written through restic");
            r.run("backup", src.toString()).assertOk();
            assertThat(okAt(loc, "snapshots", "--json").json().size()).isEqualTo(2);
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();

            // copy from the local vault to S3: only what is missing
            ok("init");
            backup(src);
            env.put("REMPART_FROM_REPOSITORY", repo.toString());
            env.put("REMPART_FROM_PASSWORD", PASSWORD);
            Path s3copy = tmp.resolve("s3copy");
            String copyLoc = s3.repo("practice-vault", "copy");
            okAt(copyLoc, "init", "--copy-chunker-params");
            JsonNode c = okAt(copyLoc, "copy", "--json").json();
            assertThat(c.path("copied").size()).isEqualTo(1);
            okAt(copyLoc, "restore", "latest", "--target", s3copy.toString());
            assertThat(TreeCompare.diff(src, within(s3copy, src))).isEmpty();
            new Restic(copyLoc, PASSWORD).withEnv(S3Server.env()).run("check", "--read-data").assertOk();

            // no credentials at all: what to set (and no instance metadata service asked: loopback only)
            Map<String, String> saved = new java.util.HashMap<>(env);
            env.putAll(Map.of("AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", "AWS_EC2_METADATA_DISABLED", "true",
                    "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("none").toString(), "AWS_CONFIG_FILE", tmp.resolve("none").toString()));
            CommandRun none = rempartAt(loc, "snapshots");
            assertThat(none.code()).isNotZero();
            assertThat(none.err()).isEqualTo("rempart: " + loc + ": no S3 access key: set AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY, or an AWS profile\n");
            env.clear();
            env.putAll(saved);

            // wrong credentials: a clear error, no secret shown
            env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
            CommandRun bad = rempartAt(loc, "snapshots");
            assertThat(bad.code()).isNotZero();
            assertThat(bad.err()).contains("the server refuses the user name and password, or the access key, given (403 SignatureDoesNotMatch)")
                    .doesNotContain(S3Server.SECRET_KEY).doesNotContain("not-the-secret");
        }
    }
}
