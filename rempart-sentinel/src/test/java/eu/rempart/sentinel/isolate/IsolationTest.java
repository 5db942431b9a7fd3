package eu.rempart.sentinel.isolate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Isolation applied for real, inside a network namespace made for each test: every nft call goes
 * through {@code ip netns exec}, so the host's own firewall is never touched. Two TCP servers on
 * loopback addresses of the namespace stand for the allowed console and for everything else.
 */
class IsolationTest {
    static final String A = "127.0.0.2";
    static final int A_PORT = 8443;
    static final String B = "127.0.0.3";
    static final int B_PORT = 9443;

    static String ip;
    static String nft;

    String ns;
    Isolation isolation;
    final List<Process> peers = new ArrayList<>();

    @BeforeAll
    static void tools() throws IOException {
        assumeTrue(isRoot(), "network namespaces and nftables need root");
        ip = which("ip");
        nft = which("nft");
        assumeTrue(ip != null, "iproute2 (ip) is not installed");
        assumeTrue(nft != null, "nftables (nft) is not installed");
    }

    @BeforeEach
    void namespace() throws Exception {
        ns = "rempart-iso-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        sh(ip, "netns", "add", ns);
        sh(ip, "netns", "exec", ns, ip, "link", "set", "lo", "up");
        isolation = new Isolation(List.of(ip, "netns", "exec", ns, nft));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : peers) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (ns != null) {
            sh(ip, "netns", "del", ns);
        }
    }

    @Test
    void blocksAllButTheAllowedPeerIdempotentlyAndReleaseRestores() throws Exception {
        Peer peer = startPeer(A + ":" + A_PORT, B + ":" + B_PORT);
        assertThat(isolation.status().isolated()).isFalse();
        assertThat(peer.probe(A, A_PORT)).isEqualTo("ok");
        assertThat(peer.probe(B, B_PORT)).isEqualTo("ok");

        Isolation.Status st = isolation.isolate(List.of(AllowedPeer.parse(A + ":" + A_PORT)));
        assertThat(st.isolated()).isTrue();
        assertThat(isolation.status()).isEqualTo(st);
        assertThat(st.allowed()).containsExactly(new AllowedPeer(A, A_PORT));
        assertThat(st.since()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));

        assertThat(peer.probe(A, A_PORT)).isEqualTo("ok");
        assertThat(peer.probe(B, B_PORT)).as("non-allowed peer while isolated").isEqualTo("timeout");
        // the allowed address on another port is cut too
        assertThat(peer.probe(A, B_PORT)).isIn("timeout", "failed: java.net.ConnectException: Connection refused");

        String rules = isolation.listing();
        assertThat(rules).contains("policy drop").contains("rempart-allow 127.0.0.2:8443");
        assertThat(isolation.isolate(List.of(AllowedPeer.parse(A + ":" + A_PORT), AllowedPeer.parse(A + ":" + A_PORT))))
                .isEqualTo(st);
        assertThat(isolation.listing()).as("isolating twice gives the same rules").isEqualTo(rules);
        assertThat(peer.probe(B, B_PORT)).isEqualTo("timeout");

        assertThat(isolation.release()).isTrue();
        assertThat(isolation.status()).isEqualTo(new Isolation.Status(false, List.of(), null));
        assertThat(isolation.listing()).isNull();
        assertThat(peer.probe(B, B_PORT)).isEqualTo("ok");
        assertThat(peer.probe(A, A_PORT)).isEqualTo("ok");
        assertThat(isolation.release()).as("release when not isolated").isFalse();
    }

    @Test
    void reIsolatingWithAnotherListReplacesItAndKeepsTheTime() throws Exception {
        Peer peer = startPeer(A + ":" + A_PORT, B + ":" + B_PORT);
        Isolation.Status first = isolation.isolate(List.of(AllowedPeer.parse(A + ":" + A_PORT)));
        Thread.sleep(1100); // a new timestamp would differ by at least a second
        Isolation.Status second = isolation.isolate(List.of(AllowedPeer.parse(B + ":" + B_PORT)));
        assertThat(second.since()).isEqualTo(first.since());
        assertThat(isolation.status().allowed()).containsExactly(new AllowedPeer(B, B_PORT));
        assertThat(isolation.listing()).doesNotContain(A).contains(B);
        assertThat(peer.probe(B, B_PORT)).isEqualTo("ok");
        assertThat(peer.probe(A, A_PORT)).isEqualTo("timeout");

        // nothing allowed at all: loopback is cut as well
        isolation.isolate(List.of());
        assertThat(peer.probe(B, B_PORT)).isEqualTo("timeout");
        assertThat(isolation.release()).isTrue();
        assertThat(peer.probe(A, A_PORT)).isEqualTo("ok");
    }

    @Test
    void hostNamesAreResolvedToAllTheirAddresses() throws Exception {
        Peer peer = startPeer("127.0.0.1:" + A_PORT, B + ":" + B_PORT);
        isolation.isolate(List.of(AllowedPeer.parse("localhost:" + A_PORT)));
        assertThat(isolation.status().allowed()).containsExactly(new AllowedPeer("localhost", A_PORT));
        assertThat(isolation.listing()).contains("ip daddr 127.0.0.1 ");
        assertThat(peer.probe("127.0.0.1", A_PORT)).isEqualTo("ok");
        assertThat(peer.probe(B, B_PORT)).isEqualTo("timeout");
    }

    @Test
    void refusedChangesLeaveTheRulesetAsItWas() throws Exception {
        isolation.isolate(List.of(AllowedPeer.parse(A + ":" + A_PORT)));
        String rules = isolation.listing();

        Isolation unprivileged = new Isolation(List.of(ip, "netns", "exec", ns,
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", nft));
        assertThatThrownBy(() -> unprivileged.isolate(List.of(AllowedPeer.parse(B + ":" + B_PORT))))
                .isInstanceOfSatisfying(IsolationException.class,
                        e -> assertThat(e.reason()).isEqualTo(IsolationException.Reason.NOT_PERMITTED));
        assertThatThrownBy(unprivileged::release).isInstanceOf(IsolationException.class);

        assertThatThrownBy(() -> isolation.isolate(List.of(AllowedPeer.parse("no-such-host.invalid:443"))))
                .isInstanceOfSatisfying(IsolationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(IsolationException.Reason.UNRESOLVED);
                    assertThat(e.detail()).isEqualTo("no-such-host.invalid");
                });
        assertThat(isolation.listing()).isEqualTo(rules);
    }

    @Test
    void missingNftIsReportedAsSuch() {
        assertThatThrownBy(() -> new Isolation(List.of("/nonexistent/nft")).status())
                .isInstanceOfSatisfying(IsolationException.class,
                        e -> assertThat(e.reason()).as(e.detail()).isEqualTo(IsolationException.Reason.NFT_MISSING));
        assertThatThrownBy(() -> new Isolation(List.of(ip, "netns", "exec", ns, "/nonexistent/nft")).release())
                .isInstanceOfSatisfying(IsolationException.class,
                        e -> assertThat(e.reason()).as(e.detail()).isEqualTo(IsolationException.Reason.NFT_MISSING));
    }

    // ------------------------------------------------------------------ helpers

    /** The NsPeer process inside the namespace, driven line by line. */
    final class Peer {
        final PrintStream in;
        final BufferedReader out;

        Peer(Process p) {
            in = new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        String readLine(long seconds) throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return "failed: " + e;
                }
            }).get(seconds, TimeUnit.SECONDS);
        }

        /** "ok", "timeout" (what a drop gives) or "failed: ...". */
        String probe(String host, int port) throws Exception {
            in.println(host + " " + port + " 1500");
            return readLine(30);
        }
    }

    Peer startPeer(String... listen) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes = Path.of(NsPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", ns, java, "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-cp", classes, NsPeer.class.getName()));
        cmd.addAll(List.of(listen));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        peers.add(p);
        Peer peer = new Peer(p);
        assertThat(peer.readLine(60)).isEqualTo("ready");
        return peer;
    }

    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }

    static boolean isRoot() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
    }

    /** The program's path, looking in the sbin folders too (not always on a test runner's PATH). */
    static String which(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }
}
