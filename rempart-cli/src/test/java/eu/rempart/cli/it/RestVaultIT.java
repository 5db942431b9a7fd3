package eu.rempart.cli.it;

import eu.rempart.cli.CommandRun;

import eu.rempart.vault.testing.Restic;
import eu.rempart.vault.testing.TreeCompare;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Off-site and tamper-proof storage through restic's REST protocol, with real processes on
 * 127.0.0.1: restic 0.14 as a client of {@code rempart vault serve}, Rempart as a client of
 * {@code rclone serve restic} and of its own server, and the network faults a practice meets.
 */
class RestVaultIT extends ItBase {
    static final String ALICE_PW = "alice-s3cret";
    static final String BOB_PW = "bob-s3cret";

    Path vault;
    Path htpasswd;

    @BeforeEach
    void setUpVault() throws IOException {
        vault = tmp.resolve("vault");
        Files.createDirectories(vault);
        secrets.add(ALICE_PW);
        secrets.add(BOB_PW);
        htpasswd = tmp.resolve("htpasswd");
        SecureRandom r = new SecureRandom();
        byte[] s1 = new byte[16];
        byte[] s2 = new byte[16];
        r.nextBytes(s1);
        r.nextBytes(s2);
        Files.writeString(htpasswd, "alice:" + OpenBSDBCrypt.generate("2y", ALICE_PW.toCharArray(), s1, 6) + "\n"
                + "bob:" + OpenBSDBCrypt.generate("2b", BOB_PW.toCharArray(), s2, 6) + "\n");
    }

    static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    static HttpResponse<String> raw(String method, String url, String user, String pw, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void resticThroughAnAppendOnlyServerBacksUpRestoresChecksButCannotDestroyAnything() throws Exception {
        try (VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vault, 0,
                "--append-only", "--htpasswd-file", htpasswd.toString())) {
            String loc = server.repo("alice", ALICE_PW, "alice/");
            Restic r = new Restic(loc, PASSWORD);
            r.run("init").assertOk();
            Path src = smallTree("src", 11);
            r.run("backup", src.toString()).assertOk();
            Files.writeString(src.resolve("changed.txt"), "second version");
            r.run("backup", src.toString()).assertOk();
            r.run("check", "--read-data").assertOk();
            Path t = tmp.resolve("restic-restore");
            r.run("restore", "latest", "--target", t.toString()).assertOk();
            assertThat(resticDiff(src, within(t, src))).isEmpty();

            // Rempart reads what restic stored on the server.
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();
            Path t2 = tmp.resolve("rempart-restore");
            okAt(loc, "restore", "latest", "--target", t2.toString());
            // restic 0.14 stored the non-UTF-8 symlink target lossily: the known loss, nothing else
            assertThat(resticDiff(src, within(t2, src))).isEmpty();

            Path repoDir = vault.resolve("alice");
            List<String> before = filesUnder(repoDir).stream().filter(f -> !f.startsWith("locks/")).toList();
            Restic.Result forget = r.run("forget", "--keep-last", "1", "--prune");
            assertThat(forget.exit()).as(forget.toString()).isNotZero();
            assertThat(filesUnder(repoDir).stream().filter(f -> !f.startsWith("locks/")).toList()).isEqualTo(before);

            // A client holding the password tries to destroy data directly.
            String pack = before.stream().filter(f -> f.startsWith("data/")).findFirst().orElseThrow();
            String packUrl = server.url + "alice/data/" + pack.substring(pack.lastIndexOf('/') + 1);
            assertThat(raw("DELETE", packUrl, "alice", ALICE_PW, null).statusCode()).isEqualTo(403);
            assertThat(raw("POST", packUrl, "alice", ALICE_PW, "garbage".getBytes()).statusCode()).isEqualTo(403);
            assertThat(raw("DELETE", server.url + "alice/config", "alice", ALICE_PW, null).statusCode()).isEqualTo(403);
            assertThat(raw("POST", server.url + "alice/config", "alice", ALICE_PW, "x".getBytes()).statusCode()).isEqualTo(403);
            String snap = before.stream().filter(f -> f.startsWith("snapshots/")).findFirst().orElseThrow();
            assertThat(raw("DELETE", server.url + "alice/" + snap, "alice", ALICE_PW, null).statusCode()).isEqualTo(403);
            assertThat(raw("DELETE", server.url + "alice/", "alice", ALICE_PW, null).statusCode()).isEqualTo(403);
            // An upload whose content does not match its name is refused, so is a stranger.
            assertThat(raw("POST", server.url + "alice/data/" + "ab".repeat(32), "alice", ALICE_PW, "x".getBytes()).statusCode())
                    .isEqualTo(400);
            assertThat(raw("GET", server.url + "alice/config", null, null, null).statusCode()).isEqualTo(401);
            assertThat(raw("GET", server.url + "alice/config", "alice", "wrong", null).statusCode()).isEqualTo(401);
            assertThat(raw("GET", server.url + "alice/../etc/config", "alice", ALICE_PW, null).statusCode()).isIn(400, 404);

            assertThat(filesUnder(repoDir).stream().filter(f -> !f.startsWith("locks/")).toList()).isEqualTo(before);
            assertThat(r.run("snapshots", "--json").assertOk().out()).contains("\"id\"");
            r.run("check", "--read-data").assertOk();
            String log = server.accessLog();
            assertThat(log).contains("DELETE /alice/data/").contains(" 403 ").contains("alice")
                    .doesNotContain(ALICE_PW).doesNotContain(PASSWORD);
        }
    }

    @Test
    void privateRepositoriesAndQuotasAreEnforced() throws Exception {
        try (VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vault, 0,
                "--private-repos", "--max-size", "3M", "--htpasswd-file", htpasswd.toString())) {
            // alice cannot create or read bob's repository
            CommandRun denied = rempartAt(server.repo("alice", ALICE_PW, "bob/"), "init");
            assertThat(denied.code()).as(denied.toString()).isNotZero();
            assertThat(denied.err()).contains("the server refuses this operation (403 Forbidden)").doesNotContain(ALICE_PW);
            assertThat(vault.resolve("bob")).doesNotExist();

            String mine = server.repo("alice", ALICE_PW, "alice/");
            okAt(mine, "init");
            Path small = tmp.resolve("small");
            Files.createDirectories(small);
            writeKeystream(small.resolve("a.bin"), 1 << 20, 1);
            okAt(mine, "backup", small.toString());
            Path big = tmp.resolve("big");
            Files.createDirectories(big);
            writeKeystream(big.resolve("b.bin"), 5 << 20, 2);
            CommandRun over = rempartAt(mine, "backup", big.toString());
            assertThat(over.code()).as(over.toString()).isNotZero();
            assertThat(over.err()).contains("the server refuses the write: the repository’s quota is reached");
            assertThat(okAt(mine, "snapshots", "--json").json().size()).isEqualTo(1);
            assertThat(okAt(mine, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();
            new Restic(mine, PASSWORD).run("check", "--read-data").assertOk();

            // bob has his own, once he has made it
            String bobs = server.repo("bob", BOB_PW, "bob/");
            CommandRun none = rempartAt(bobs, "snapshots");
            assertThat(none.code()).as(none.toString()).isEqualTo(10);
            assertThat(none.err()).contains("no repository at rest:").doesNotContain(BOB_PW);
            okAt(bobs, "init");
            assertThat(okAt(bobs, "snapshots", "--json").json().size()).isZero();
        }
    }

    @Test
    void httpsWithTheServersCertificate() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process p = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor()).isZero();
        try (VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vault, 0,
                "--no-auth", "--tls", "--tls-cert", cert.toString(), "--tls-key", key.toString())) {
            assertThat(server.url).startsWith("https://");
            String loc = server.repo(null, null, "practice/");
            CommandRun untrusted = rempartAt(loc, "-o", "rest.retries=0", "init");
            assertThat(untrusted.code()).isNotZero();
            assertThat(untrusted.err()).startsWith("rempart: " + loc.substring(0, loc.indexOf("://") + 3))
                    .contains("the secure connection (TLS) failed: PKIX").contains("give it with --cacert");
            okAt(loc, "--cacert", cert.toString(), "init");
            Path src = smallTree("src", 12);
            okAt(loc, "--cacert", cert.toString(), "backup", src.toString());
            Path t = tmp.resolve("restore");
            okAt(loc, "--cacert", cert.toString(), "restore", "latest", "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();
            new Restic(loc, PASSWORD).run("--cacert", cert.toString(), "check", "--read-data").assertOk();
        }
    }

    @Test
    void rempartAgainstRcloneServeResticAppendOnly() throws Exception {
        Path rclone = Path.of("/usr/bin/rclone");
        assumeTrue(Files.isExecutable(rclone), "rclone is not installed");
        int port = freePort();
        Process server = new ProcessBuilder(rclone.toString(), "serve", "restic", "--addr", "127.0.0.1:" + port,
                "--append-only", vault.toString())
                .redirectOutput(tmp.resolve("rclone.log").toFile()).redirectErrorStream(true).start();
        try {
            waitForPort(port);
            String loc = "rest:http://127.0.0.1:" + port + "/practice/";
            okAt(loc, "init");
            Path src = smallTree("src", 13);
            okAt(loc, "backup", src.toString());
            Files.writeString(src.resolve("later.txt"), "a later file");
            okAt(loc, "backup", src.toString());
            assertThat(okAt(loc, "snapshots", "--json").json().size()).isEqualTo(2);
            // Index, snapshots and trees are cached locally, owner-only; --no-cache leaves no cache.
            Path cache;
            try (var repos = Files.list(tmp.resolve("cache"))) {
                // a repository's cache is named by its id; keys/ beside it holds the key file copies
                cache = repos.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).findFirst().orElseThrow();
            }
            assertThat(cache.resolve("snapshots").toFile().list()).hasSize(2);
            assertThat(cache.resolve("index").toFile().list()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(countFiles(cache.resolve("data"))).isGreaterThanOrEqualTo(2);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)))
                    .isEqualTo("rwx------");
            assertThat(okAt(loc, "--no-cache", "--cache-dir", tmp.resolve("unused").toString(), "snapshots", "--json")
                    .json().size()).isEqualTo(2);
            assertThat(tmp.resolve("unused")).doesNotExist();
            Path t = tmp.resolve("restore");
            okAt(loc, "restore", "latest", "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();
            new Restic(loc, PASSWORD).run("check", "--read-data").assertOk();
            // check judges what the server holds, not the cache's copies: a damaged index file there fails it.
            Path index;
            try (var files = Files.list(vault.resolve("practice/index"))) {
                index = files.findFirst().orElseThrow();
            }
            byte[] b = Files.readAllBytes(index);
            b[b.length / 2] ^= 1;
            Files.write(index, b);
            CommandRun damaged = rempart.run("-r", loc, "check");
            assertThat(damaged.code()).as(damaged.toString()).isNotZero();
            assertThat(damaged.out() + damaged.err()).contains(index.getFileName().toString().substring(0, 8));
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void serverKilledMidBackupThenRestartedAndTheBackupRerunCompletes() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        writeKeystream(src.resolve("xray-archive.bin"), 300L << 20, 5);
        smallTree("src/docs", 14);
        VaultServer server = VaultServer.start(rempart, tmp.resolve("scratch"), vault, 0, "--no-auth");
        int port = server.port();
        String loc = server.repo(null, null, "practice/");
        try {
            okAt(loc, "init");
            Path out = tmp.resolve("scratch/backup-out.txt");
            Path err = tmp.resolve("scratch/backup-err.txt");
            Process backup = rempart.start(out, err, "-r", loc, "-o", "rest.retries=2", "-o", "rest.timeout=5s",
                    "backup", src.toString());
            Path data = vault.resolve("practice/data");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (countFiles(data) < 3 && backup.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(backup.isAlive()).as("backup still running when the server dies").isTrue();
            server.kill();
            assertThat(backup.waitFor(2, TimeUnit.MINUTES)).as("the backup gives up instead of hanging").isTrue();
            assertThat(backup.exitValue()).isNotZero();
            assertThat(Files.readString(err)).contains(loc).contains(": the server does not answer (last error: ");
        } finally {
            server.close();
        }
        try (VaultServer again = VaultServer.start(rempart, tmp.resolve("scratch"), vault, port, "--no-auth")) {
            assertThat(okAt(loc, "snapshots", "--json").json().size()).isZero();
            String id = okAt(loc, "backup", "--json", src.toString()).json().path("snapshot_id").asText();
            assertThat(id).isNotEmpty();
            assertThat(okAt(loc, "snapshots", "--json").json().size()).isEqualTo(1);
            assertThat(okAt(loc, "check", "--read-data", "--json").json().path("ok").asBoolean()).isTrue();
            // The killed run's lock is still on the server; restic 0.14's check refuses even a stale
            // lock, so it is removed first, as restic's own message advises.
            Restic r = new Restic(loc, PASSWORD);
            r.run("unlock").assertOk();
            r.run("check", "--read-data").assertOk();
            Path t = tmp.resolve("restore");
            okAt(loc, "restore", id, "--target", t.toString());
            assertThat(TreeCompare.diff(src, within(t, src))).isEmpty();
        }
    }

    @Test
    void aStalledServerGivesATimeoutAndAMissingServerAClearError() throws Exception {
        try (ServerSocket stall = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stall.accept()); // accepted, never answered
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String loc = "rest:http://127.0.0.1:" + stall.getLocalPort() + "/practice/";
            Path out = tmp.resolve("scratch/stall-out.txt");
            Path err = tmp.resolve("scratch/stall-err.txt");
            Process p = rempart.start(out, err, "-r", loc, "-o", "rest.timeout=2s", "-o", "rest.retries=1", "snapshots");
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("no hang on a stalled server").isTrue();
            assertThat(p.exitValue()).isNotZero();
            // config or keys/, whichever request gives up first
            assertThat(Files.readString(err)).startsWith("rempart: " + loc).endsWith(": the server did not answer within 2 s"
                    + " on any attempt. Check the server and the network, then try again.\n");
            for (Socket s : held) {
                s.close();
            }
        }
        int closed = freePort();
        CommandRun gone = rempartAt("rest:http://127.0.0.1:" + closed + "/practice/", "-o", "rest.retries=1", "snapshots");
        assertThat(gone.code()).isNotZero();
        assertThat(gone.err()).startsWith("rempart: rest:http://127.0.0.1:" + closed + "/practice/")
                .contains(": the server does not answer (last error: ConnectException: Connection refused)");
    }

    /** Pack files stored so far, by name only: temporary files come and go meanwhile. */
    static long countFiles(Path data) throws IOException {
        long n = 0;
        String[] subs = data.toFile().list();
        for (String sub : subs == null ? new String[0] : subs) {
            String[] names = data.resolve(sub).toFile().list();
            for (String name : names == null ? new String[0] : names) {
                if (name.matches("[0-9a-f]{64}")) {
                    n++;
                }
            }
        }
        return n;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port);
    }
}
