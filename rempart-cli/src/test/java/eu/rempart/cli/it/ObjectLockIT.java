package eu.rempart.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rempart.cli.CommandRun;
import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TreeCompare;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * S3 Object Lock against a server that enforces it (Ceph's RADOS Gateway on 127.0.0.1): every
 * file Rempart writes is locked, nobody can delete a locked version, the retention command
 * extends the protection, and restic still reads the repository.
 */
class ObjectLockIT extends ItBase {
    @Test
    void everyFileIsLockedNobodyCanDeleteItAndRetentionExtendsTheProtection() throws Exception {
        assumeTrue(RgwServer.available(), "radosgw is not installed (.ci/rgw-server install)");
        secrets.add(RgwServer.SECRET_KEY);
        try (RgwServer rgw = RgwServer.start(tmp.resolve("rgw")); S3Client s3 = rgw.client()) {
            env.putAll(RgwServer.env());

            // GOVERNANCE, one day; a pack above the 5 MiB part size goes up as a multipart upload
            String loc = rgw.repo("cabinet-gov");
            JsonNode init = okAt(loc, "init", "--retention-days", "1", "--retention-mode", "governance", "--json").json();
            assertThat(init.path("retention_mode").asText()).isEqualTo("GOVERNANCE");
            Path src = smallTree("src", 41);
            writeKeystream(src.resolve("radio.dcm"), 12 << 20, 41);
            Instant before = Instant.now();
            String id = okAt(loc, "-o", "s3.part-size=5242880", "backup", "--json", src.toString())
                    .json().path("snapshot_id").asText();

            List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket("cabinet-gov")).contents().stream().toList();
            assertThat(objects).extracting(S3Object::key)
                    .anyMatch(k -> k.startsWith("data/")).anyMatch(k -> k.startsWith("snapshots/"))
                    .anyMatch(k -> k.startsWith("index/")).anyMatch(k -> k.startsWith("keys/")).contains("config")
                    .noneMatch(k -> k.startsWith("locks/"));
            for (S3Object o : objects) {
                HeadObjectResponse h = s3.headObject(b -> b.bucket("cabinet-gov").key(o.key()));
                assertThat(h.objectLockMode()).as(o.key()).isEqualTo(ObjectLockMode.GOVERNANCE);
                assertThat(h.objectLockRetainUntilDate()).as(o.key())
                        .isBetween(before.plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
            }

            // An attacker with the repository's S3 credentials cannot destroy a stored version.
            String pack = objects.stream().map(S3Object::key).filter(k -> k.startsWith("data/")).findFirst().orElseThrow();
            String version = s3.headObject(b -> b.bucket("cabinet-gov").key(pack)).versionId();
            assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket("cabinet-gov").key(pack).versionId(version)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThat(s3.headObject(b -> b.bucket("cabinet-gov").key(pack).versionId(version)).contentLength())
                    .isPositive();

            // retention: everything the repository needs, now protected for two days
            JsonNode r = okAt(loc, "retention", "--days", "2", "--json").json();
            assertThat(r.path("files").asInt()).isEqualTo(objects.size());
            assertThat(r.path("extended").asInt()).isEqualTo(objects.size());
            assertThat(Instant.parse(r.path("protected_until").asText())).isAfter(before.plus(Duration.ofHours(47)));
            for (S3Object o : objects) {
                assertThat(s3.headObject(b -> b.bucket("cabinet-gov").key(o.key())).objectLockRetainUntilDate())
                        .as(o.key()).isAfter(before.plus(Duration.ofHours(47)));
            }
            // run again at once: nothing is close to expiring
            assertThat(okAt(loc, "retention", "--days", "2", "--json").json().path("extended").asInt()).isZero();

            // the repository works as any other, for Rempart and for restic
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();
            Path t = tmp.resolve("restore");
            okAt(loc, "restore", id, "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();
            new Restic(loc, PASSWORD).withEnv(RgwServer.env()).run("check", "--read-data").assertOk();

            // COMPLIANCE (the default): not even a governance bypass deletes a version
            String comp = rgw.repo("cabinet-comp");
            okAt(comp, "init", "--retention-days", "1");
            okAt(comp, "backup", src.toString());
            String key = s3.listObjectsV2(b -> b.bucket("cabinet-comp").prefix("snapshots/")).contents().get(0).key();
            HeadObjectResponse h = s3.headObject(b -> b.bucket("cabinet-comp").key(key));
            assertThat(h.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
            assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket("cabinet-comp").key(key).versionId(h.versionId())
                    .bypassGovernanceRetention(true)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));

            // a bucket without Object Lock: retention refuses, clearly, and changes nothing
            String plain = rgw.repo("cabinet-plain");
            okAt(plain, "init");
            CommandRun refused = rempartAt(plain, "retention", "--days", "2", "--mode", "governance");
            assertThat(refused.code()).isNotZero();
            assertThat(refused.err()).contains("no Object Lock");
            okAt(plain, "snapshots");
        }
    }
}
