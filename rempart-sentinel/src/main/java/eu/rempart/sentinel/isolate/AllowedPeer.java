package eu.rempart.sentinel.isolate;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer the machine may still talk to while isolated (the console, the off-site vault): TCP and UDP
 * to or from {@code host:port}. The host is a name, an IPv4 address or an IPv6 address in brackets.
 */
public record AllowedPeer(String host, int port) {
    /** Rule comments hold the peer text and nftables caps comments at 128 bytes. */
    static final int MAX_HOST_LENGTH = 100;

    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)]:(\\d{1,5})");
    private static final Pattern PLAIN = Pattern.compile("([A-Za-z0-9.-]+):(\\d{1,5})");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?");

    public AllowedPeer {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("host longer than " + MAX_HOST_LENGTH + " characters: " + host);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        if (host.indexOf(':') >= 0) {
            if (!isIpv6Literal(host)) {
                throw new IllegalArgumentException("not an IPv6 address: " + host);
            }
        } else if (!NAME.matcher(host).matches()) {
            // also keeps quotes and spaces out of the nft script the host is written into
            throw new IllegalArgumentException("not a host name or address: " + host);
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    /** Parses {@code HOST:PORT} or {@code [IPV6]:PORT}. */
    public static AllowedPeer parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("expected HOST:PORT");
        }
        String s = text.strip();
        Matcher m = BRACKETED.matcher(s);
        if (!m.matches()) {
            m = PLAIN.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException(!s.startsWith("[") && s.chars().filter(c -> c == ':').count() > 1
                        ? "IPv6 addresses go in brackets: [2001:db8::1]:443, got " + s
                        : "expected HOST:PORT, got " + s);
            }
        }
        return new AllowedPeer(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** All the addresses of the host now (DNS is cut once isolated: names are resolved beforehand). */
    public List<InetAddress> resolve() throws UnknownHostException {
        List<InetAddress> all = new ArrayList<>(List.of(InetAddress.getAllByName(host)));
        // a stable order keeps re-isolating with the same peers byte-identical
        all.sort(Comparator.comparing((InetAddress a) -> a instanceof Inet6Address).thenComparing(InetAddress::getHostAddress));
        return all.stream().distinct().toList();
    }

    private static boolean isIpv6Literal(String h) {
        if (!h.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // a literal never goes to DNS
            return InetAddress.getByName("[" + h + "]") instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The text form {@link #parse} reads back. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
