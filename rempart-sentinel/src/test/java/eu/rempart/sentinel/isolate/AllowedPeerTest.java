package eu.rempart.sentinel.isolate;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing of --allow entries and the nft script, without touching any ruleset. */
class AllowedPeerTest {
    @Test
    void parsesNamesIpv4AndBracketedIpv6() {
        assertThat(AllowedPeer.parse("vault.example.org:443")).isEqualTo(new AllowedPeer("vault.example.org", 443));
        assertThat(AllowedPeer.parse(" Console.Example:8443 ")).isEqualTo(new AllowedPeer("console.example", 8443));
        assertThat(AllowedPeer.parse("192.0.2.10:22")).isEqualTo(new AllowedPeer("192.0.2.10", 22));
        AllowedPeer v6 = AllowedPeer.parse("[2001:DB8::1]:443");
        assertThat(v6).isEqualTo(new AllowedPeer("2001:db8::1", 443));
        assertThat(v6).hasToString("[2001:db8::1]:443");
        assertThat(AllowedPeer.parse(v6.toString())).isEqualTo(v6);
    }

    @Test
    void rejectsBadEntriesWithClearMessages() {
        assertThatThrownBy(() -> AllowedPeer.parse("vault.example.org")).hasMessageContaining("expected HOST:PORT");
        assertThatThrownBy(() -> AllowedPeer.parse("vault:0")).hasMessageContaining("port out of range");
        assertThatThrownBy(() -> AllowedPeer.parse("vault:65536")).hasMessageContaining("port out of range");
        assertThatThrownBy(() -> AllowedPeer.parse("vault:https")).hasMessageContaining("expected HOST:PORT");
        assertThatThrownBy(() -> AllowedPeer.parse("2001:db8::1:443")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> AllowedPeer.parse("[not:v6:zz]:443")).hasMessageContaining("expected HOST:PORT");
        assertThatThrownBy(() -> AllowedPeer.parse("[1:2:3]:443")).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> AllowedPeer.parse("a\"b:1")).hasMessageContaining("expected HOST:PORT");
        assertThatThrownBy(() -> AllowedPeer.parse("-bad-.example:1")).hasMessageContaining("not a host name");
        assertThatThrownBy(() -> AllowedPeer.parse("a".repeat(101) + ":1")).hasMessageContaining("longer than");
        assertThatThrownBy(() -> AllowedPeer.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scriptIsOneTransactionReplacingTheTableAndReadsBack() throws Exception {
        AllowedPeer a = AllowedPeer.parse("192.0.2.10:443");
        AllowedPeer b = AllowedPeer.parse("[2001:db8::5]:8443");
        Instant since = Instant.parse("2024-05-01T10:00:00Z");
        String s = Isolation.script(List.of(new Isolation.Resolved(a, List.of(InetAddress.getByName("192.0.2.10"))),
                new Isolation.Resolved(b, List.of(InetAddress.getByName("2001:db8::5")))), since);
        assertThat(s).startsWith("table inet rempart_isolation\ndelete table inet rempart_isolation\n");
        assertThat(s).contains("ip daddr 192.0.2.10 meta l4proto { tcp, udp } th dport 443 accept comment \"rempart-allow 192.0.2.10:443\"")
                .contains("ip6 saddr 2001:db8:0:0:0:0:0:5 meta l4proto { tcp, udp } th sport 8443 accept")
                .contains("type filter hook forward priority -150; policy drop;");
        assertThat(Isolation.parse(s)).isEqualTo(new Isolation.Status(true, List.of(a, b), since));
    }
}
