package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code rempart sentinel isolate} in-process. The real isolation runs inside a network namespace
 * made by the test ($REMPART_NFT = {@code ip netns exec NS nft}): the host's firewall is never touched.
 * Whether traffic is really cut is IsolationTest's job (rempart-sentinel).
 */
class SentinelIsolateCommandTest {
    final Map<String, String> env = new HashMap<>();
    String ns;
    String ip;

    CommandRun rempart(String... args) {
        return CommandRun.inProcess(env, args);
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            run(ip, "netns", "del", ns);
        }
    }

    @Test
    void helpListsTheOptions() {
        CommandRun r = rempart("sentinel", "isolate", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--allow=HOST:PORT").contains("--release").contains("--status").contains("--json");
    }

    @Test
    void badArgumentsAreRefusedBeforeTouchingAnything() {
        // a missing nft would fail differently: these errors come first
        env.put("REMPART_NFT", "/nonexistent/nft");
        CommandRun bad = rempart("sentinel", "isolate", "--allow", "vault.example.org");
        assertThat(bad.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(bad.err()).contains("adresse autorisée incorrecte « vault.example.org »").contains("HÔTE:PORT");

        CommandRun v6 = rempart("--lang", "en", "sentinel", "isolate", "--allow", "2001:db8::1:443");
        assertThat(v6.err()).contains("bad allowed address \"2001:db8::1:443\"").contains("brackets");

        CommandRun both = rempart("sentinel", "isolate", "--release", "--allow", "192.0.2.1:443");
        assertThat(both.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(both.err()).contains("ne se combinent pas");
        assertThat(rempart("sentinel", "isolate", "--release", "--status").code()).isEqualTo(ExitCodes.ERROR);

        CommandRun missing = rempart("sentinel", "isolate", "--status");
        assertThat(missing.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(missing.err()).isEqualTo("rempart: nftables est introuvable (/nonexistent/nft) : installez le paquet nftables"
                + " (l’isolement réseau n’existe que sous Linux)\n");
    }

    @Test
    void isolateStatusReleaseInsideANamespace() throws Exception {
        namespace();
        JsonNode before = json(rempart("sentinel", "isolate", "--status", "--json"));
        assertThat(before.path("isolated").asBoolean()).isFalse();
        assertThat(before.path("allowed")).isEmpty();
        assertThat(before.path("since").isNull()).isTrue();

        CommandRun iso = rempart("sentinel", "isolate", "--allow", "127.0.0.2:8443", "--allow", "[::1]:443");
        assertThat(iso.code()).as(iso.toString()).isZero();
        assertThat(iso.out()).contains("Machine isolée du réseau depuis le ")
                .contains("Seules restent joignables : 127.0.0.2:8443, [::1]:443")
                .contains("rempart sentinel isolate --release");

        JsonNode st = json(rempart("sentinel", "isolate", "--status", "--json"));
        assertThat(st.path("isolated").asBoolean()).isTrue();
        assertThat(st.path("allowed").toString()).isEqualTo("[\"127.0.0.2:8443\",\"[::1]:443\"]");
        assertThat(Instant.parse(st.path("since").asText())).isBefore(Instant.now().plusSeconds(1));

        CommandRun text = rempart("--lang", "en", "sentinel", "isolate", "--status");
        assertThat(text.out()).startsWith("Machine isolated since ").contains("Allowed addresses: 127.0.0.2:8443, [::1]:443");

        // again with nothing allowed: same time, empty list
        JsonNode none = json(rempart("sentinel", "isolate", "--json"));
        assertThat(none.path("allowed")).isEmpty();
        assertThat(none.path("since")).isEqualTo(st.path("since"));

        CommandRun rel = rempart("sentinel", "isolate", "--release");
        assertThat(rel.code()).isZero();
        assertThat(rel.out()).isEqualTo("Isolement levé : la machine a de nouveau accès au réseau.\n");
        CommandRun again = rempart("sentinel", "isolate", "--release", "--json");
        assertThat(again.code()).isZero();
        assertThat(json(again).path("isolated").asBoolean()).isFalse();
        assertThat(rempart("sentinel", "isolate", "--status").out()).isEqualTo("La machine n’est pas isolée.\n");
    }

    static JsonNode json(CommandRun r) throws IOException {
        assertThat(r.code()).as(r.toString()).isZero();
        return r.json();
    }

    void namespace() throws Exception {
        assumeTrue(isRoot(), "network namespaces and nftables need root");
        ip = which("ip");
        String nft = which("nft");
        assumeTrue(ip != null && nft != null, "iproute2 and nftables are needed");
        ns = "rempart-iso-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        run(ip, "netns", "add", ns);
        env.put("REMPART_NFT", ip + " netns exec " + ns + " " + nft);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }

    static boolean isRoot() throws IOException {
        Path status = Path.of("/proc/self/status");
        return Files.isReadable(status) && Files.readAllLines(status).stream()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
    }

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
