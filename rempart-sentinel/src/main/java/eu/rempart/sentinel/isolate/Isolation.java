package eu.rempart.sentinel.isolate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network isolation on Linux with nftables: one table of our own whose input, output and forward
 * chains drop everything except TCP/UDP to and from the allowed peers. A drop in any base chain is
 * final whatever other tables accept, so the table wins over the machine's own firewall without
 * touching it; releasing deletes the table and leaves the rest as it was.
 *
 * <p>Every change is one {@code nft -f -} transaction: it applies whole or not at all. The state
 * (since when, which peers) lives in the table itself (comments), so it cannot drift from the rules
 * and vanishes with them at reboot.
 */
public final class Isolation {
    static final String TABLE = "rempart_isolation";
    static final String SINCE_PREFIX = "rempart isolation since ";
    static final String PEER_PREFIX = "rempart-allow ";
    /** After conntrack (-200), so "ct state" works; before the usual filter tables (0). */
    static final int PRIORITY = -150;

    private static final Pattern SINCE = Pattern.compile("comment \"" + Pattern.quote(SINCE_PREFIX) + "([^\"]+)\"");
    private static final Pattern PEER = Pattern.compile("comment \"" + Pattern.quote(PEER_PREFIX) + "([^\"]+)\"");
    private static final long TIMEOUT_SECONDS = 30;
    /** How ip netns exec (and shells) say the program is not there. */
    private static final Pattern MISSING = Pattern.compile("exec of \".*\" failed: No such file|: not found$");

    /** What {@link #status()} reports. {@code since} is null when not isolated. */
    public record Status(boolean isolated, List<AllowedPeer> allowed, Instant since) {
        public Status {
            allowed = List.copyOf(allowed);
        }

        static Status notIsolated() {
            return new Status(false, List.of(), null);
        }
    }

    private final List<String> nft;

    /** Runs {@code nft} from the PATH. */
    public Isolation() {
        this(List.of("nft"));
    }

    /** @param nftCommand how to run nft, e.g. {@code ip netns exec NS nft} to act inside a namespace */
    public Isolation(List<String> nftCommand) {
        if (nftCommand.isEmpty()) {
            throw new IllegalArgumentException("empty nft command");
        }
        this.nft = List.copyOf(nftCommand);
    }

    /**
     * Cuts the machine off the network except the peers (replacing any previous allow list).
     * Isolating again keeps the first isolation's time, so the same peers give the same rules.
     */
    public Status isolate(List<AllowedPeer> peers) throws IsolationException {
        List<AllowedPeer> unique = List.copyOf(new LinkedHashSet<>(peers));
        List<Resolved> resolved = new ArrayList<>();
        for (AllowedPeer p : unique) {
            try {
                resolved.add(new Resolved(p, p.resolve()));
            } catch (UnknownHostException e) {
                throw new IsolationException(IsolationException.Reason.UNRESOLVED, p.host());
            }
        }
        Status before = status();
        Instant since = before.isolated() && before.since() != null ? before.since()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS);
        run(List.of("-f", "-"), script(resolved, since));
        return new Status(true, unique, since);
    }

    /** Deletes the isolation table; true if there was one. Releasing when not isolated is no error. */
    public boolean release() throws IsolationException {
        boolean was = status().isolated();
        // "add" first so that "delete" never fails on a missing table: still one transaction
        run(List.of("-f", "-"), "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
        return was;
    }

    public Status status() throws IsolationException {
        Result r = exec(List.of("list", "table", "inet", TABLE), null);
        if (r.code != 0) {
            if (r.err.contains("No such file or directory")) {
                return Status.notIsolated();
            }
            throw failure(r);
        }
        return parse(r.out);
    }

    /** The ruleset as nft prints it (for tests and diagnostics); null when not isolated. */
    public String listing() throws IsolationException {
        Result r = exec(List.of("list", "table", "inet", TABLE), null);
        if (r.code != 0) {
            if (r.err.contains("No such file or directory")) {
                return null;
            }
            throw failure(r);
        }
        return r.out;
    }

    static Status parse(String listing) {
        Instant since = null;
        Matcher s = SINCE.matcher(listing);
        if (s.find()) {
            try {
                since = Instant.parse(s.group(1));
            } catch (DateTimeParseException ignored) {
                // a table someone edited by hand: isolated all the same
            }
        }
        Set<AllowedPeer> peers = new LinkedHashSet<>();
        Matcher m = PEER.matcher(listing);
        while (m.find()) {
            try {
                peers.add(AllowedPeer.parse(m.group(1)));
            } catch (IllegalArgumentException ignored) {
                // not ours
            }
        }
        return new Status(true, new ArrayList<>(peers), since);
    }

    record Resolved(AllowedPeer peer, List<InetAddress> addresses) {
    }

    /**
     * The whole transaction: create-then-delete makes the delete safe when there is no table yet,
     * then the new table; nft applies it atomically.
     */
    static String script(List<Resolved> peers, Instant since) {
        StringBuilder sb = new StringBuilder();
        sb.append("table inet ").append(TABLE).append('\n');
        sb.append("delete table inet ").append(TABLE).append('\n');
        sb.append("table inet ").append(TABLE).append(" {\n");
        sb.append("\tcomment \"").append(SINCE_PREFIX).append(since).append("\"\n");
        for (String hook : List.of("input", "output")) {
            sb.append("\tchain ").append(hook).append(" {\n");
            sb.append("\t\ttype filter hook ").append(hook).append(" priority ").append(PRIORITY).append("; policy drop;\n");
            // ICMP errors about tracked flows (path MTU discovery keeps working for the allowed peers)
            sb.append("\t\tct state related meta l4proto { icmp, ipv6-icmp } accept\n");
            // IPv6 neighbour discovery, without which no IPv6 peer is reachable even on the LAN
            sb.append("\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept\n");
            // DHCP, so the machine keeps its address (and stays reachable by the console) while isolated
            if (hook.equals("input")) {
                sb.append("\t\tudp sport 67 udp dport 68 accept\n");
                sb.append("\t\tudp sport 547 udp dport 546 accept\n");
            } else {
                sb.append("\t\tudp sport 68 udp dport 67 accept\n");
                sb.append("\t\tudp sport 546 udp dport 547 accept\n");
            }
            for (Resolved r : peers) {
                String comment = " accept comment \"" + PEER_PREFIX + r.peer() + "\"\n";
                for (InetAddress a : r.addresses()) {
                    String family = a instanceof Inet6Address ? "ip6" : "ip";
                    String addr = a.getHostAddress().replaceFirst("%.*$", "");
                    // both directions in both chains: a loopback peer crosses output and input with the same tuple
                    sb.append("\t\t").append(family).append(" daddr ").append(addr)
                            .append(" meta l4proto { tcp, udp } th dport ").append(r.peer().port()).append(comment);
                    sb.append("\t\t").append(family).append(" saddr ").append(addr)
                            .append(" meta l4proto { tcp, udp } th sport ").append(r.peer().port()).append(comment);
                }
            }
            sb.append("\t}\n");
        }
        sb.append("\tchain forward {\n");
        sb.append("\t\ttype filter hook forward priority ").append(PRIORITY).append("; policy drop;\n");
        sb.append("\t}\n");
        sb.append("}\n");
        return sb.toString();
    }

    private void run(List<String> args, String stdin) throws IsolationException {
        Result r = exec(args, stdin);
        if (r.code != 0) {
            throw failure(r);
        }
    }

    private IsolationException failure(Result r) {
        String text = (r.err.isBlank() ? r.out : r.err).strip();
        if (text.contains("Operation not permitted")) {
            return new IsolationException(IsolationException.Reason.NOT_PERMITTED, text);
        }
        // ip netns exec reports a missing program this way
        if (MISSING.matcher(text).find()) {
            return new IsolationException(IsolationException.Reason.NFT_MISSING, String.join(" ", nft));
        }
        return new IsolationException(IsolationException.Reason.NFT_FAILED, text.isEmpty() ? "exit code " + r.code : text);
    }

    private record Result(int code, String out, String err) {
    }

    private Result exec(List<String> args, String stdin) throws IsolationException {
        // an nft given by absolute path (also behind "ip netns exec", which shares the file system)
        // is checked here: what a wrapper prints when it cannot run it is not reliable to parse
        String program = nft.get(nft.size() - 1);
        if (program.startsWith("/") && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(program))) {
            throw new IsolationException(IsolationException.Reason.NFT_MISSING, String.join(" ", nft));
        }
        List<String> cmd = new ArrayList<>(nft);
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new IsolationException(IsolationException.Reason.NFT_MISSING, String.join(" ", nft));
        }
        try {
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IsolationException(IsolationException.Reason.NFT_FAILED,
                        String.join(" ", cmd) + ": no answer after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            p.destroyForcibly();
            throw new IsolationException(IsolationException.Reason.NFT_FAILED, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IsolationException(IsolationException.Reason.NFT_FAILED, "interrupted");
        }
    }

    private static CompletableFuture<String> drain(InputStream s) {
        // one thread per stream: a full stderr pipe must never block nft while we wait on stdout
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "nft-output");
            t.setDaemon(true);
            t.start();
        });
    }
}
