package eu.rempart.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.sentinel.contain.Containment;
import eu.rempart.sentinel.detect.Alert;
import eu.rempart.sentinel.detect.Indicator;
import eu.rempart.sentinel.isolate.AllowedPeer;
import eu.rempart.sentinel.isolate.Isolation;
import eu.rempart.sentinel.isolate.IsolationException;
import eu.rempart.sentinel.watch.Watcher;
import eu.rempart.vault.fs.OwnerOnly;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code rempart sentinel watch PATH...}: watches folders for ransomware until stopped; on an alert,
 * suspends (or kills) the writing processes, writes a JSON event, runs --on-alert.
 */
@Command(name = "watch", description = "watch folders for ransomware; on an alert, stop the processes behind it")
final class SentinelWatchCommand implements Callable<Integer> {
    @ParentCommand
    SentinelCommand sentinel;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "folders to watch")
    List<Path> paths;

    @Option(names = "--events", paramLabel = "FILE", description = "append each alert as one JSON line to this file (owner-only)")
    Path events;

    @Option(names = "--on-alert", paramLabel = "CMD",
            description = "run this shell command on each alert; the alert's JSON is on its standard input and in $REMPART_ALERT")
    String onAlert;

    @Option(names = "--contain", paramLabel = "MODE", defaultValue = "suspend",
            description = "what to do with the processes behind an alert: suspend (default; SIGSTOP keeps the key in memory), kill, none")
    String contain;

    @Option(names = "--no-canaries", description = "do not place canary files in the watched folders")
    boolean noCanaries;

    @Option(names = "--isolate",
            description = "on an alert, also cut this machine off the network (nftables), except the --allow peers and the -r repository's server")
    boolean isolate;

    @Option(names = "--allow", paramLabel = "HOST:PORT", description = "with --isolate: a peer that stays reachable (repeatable), e.g. the console or off-site vault")
    List<String> allow = new ArrayList<>();

    @Option(names = "--state", paramLabel = "FILE",
            description = "keep the baseline here between runs (default: under the user's data folder, one file per set of folders)")
    Path state;

    @Override
    public Integer call() throws Exception {
        Cli cli = sentinel.cli;
        Containment.Mode mode = switch (contain.toLowerCase(Locale.ROOT)) {
            case "suspend" -> Containment.Mode.SUSPEND;
            case "kill" -> Containment.Mode.KILL;
            case "none" -> Containment.Mode.NONE;
            default -> throw new CliException(ExitCodes.ERROR, "error.usage", "--contain suspend|kill|none");
        };
        for (Path p : paths) {
            if (!Files.isDirectory(p)) {
                throw new CliException(ExitCodes.ERROR, "sentinel.notFolder", p);
            }
        }
        List<AllowedPeer> peers = new ArrayList<>();
        if (isolate) {
            try {
                for (String a : allow) {
                    peers.add(AllowedPeer.parse(a));
                }
                AllowedPeer vault = repositoryPeer(cli.repoLocation());
                if (vault != null) {
                    peers.add(vault);
                }
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.ERROR, "error.usage", e.getMessage());
            }
        }
        Isolation isolation = isolate ? new Isolation(SentinelIsolateCommand.nftCommand(cli)) : null;
        OutputStream eventLog = events == null ? null : openEventLog(events);
        CountDownLatch stop = new CountDownLatch(1);
        Watcher.Listener listener = new Watcher.Listener() {
            @Override
            public void ready(int files, int canaries, boolean attribution, String note) {
                if (cli.json) {
                    ObjectNode o = Cli.JSON.createObjectNode().put("type", "ready").put("files", files)
                            .put("canaries", canaries).put("process_attribution", attribution ? "fanotify" : "proc");
                    ArrayNode roots = o.putArray("roots");
                    paths.forEach(p -> roots.add(p.toString()));
                    line(o);
                } else {
                    cli.say("sentinel.ready", files, paths.size(), canaries);
                    if (!attribution) {
                        cli.say("sentinel.noFanotify", note);
                    }
                }
            }

            @Override
            public void alert(Watcher.Report report) {
                ObjectNode o = alertJson(report);
                List<String> actions = new ArrayList<>();
                for (Containment.ProcessAction a : report.processes()) {
                    actions.add(a.action() + ":" + a.pid());
                }
                if (isolation != null) {
                    try {
                        isolation.isolate(peers);
                        actions.add("isolated");
                    } catch (IsolationException e) {
                        actions.add("isolate_failed:" + e.reason().name().toLowerCase(Locale.ROOT));
                    }
                }
                if (onAlert != null) {
                    actions.add("on_alert:" + runOnAlert(o));
                }
                ArrayNode arr = o.putArray("actions");
                actions.forEach(arr::add);
                if (eventLog != null) {
                    try {
                        eventLog.write((Cli.JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
                        eventLog.flush();
                    } catch (IOException e) {
                        cli.err.println("rempart: " + events + ": " + e.getMessage());
                    }
                }
                if (cli.json) {
                    line(o);
                } else {
                    Alert a = report.alert();
                    cli.say("sentinel.alert", String.format(Locale.ROOT, "%.2f", a.score()), a.files().size(),
                            String.join(", ", a.indicators().keySet().stream().map(i -> i.name().toLowerCase(Locale.ROOT)).toList()));
                    for (Containment.ProcessAction p : report.processes()) {
                        cli.say("sentinel.process." + p.action(), p.pid(), p.commandLine(), p.error() == null ? "" : p.error());
                    }
                    if (report.processes().isEmpty()) {
                        cli.say("sentinel.noProcess");
                    }
                }
            }

            @Override
            public void problem(String message) {
                if (cli.json) {
                    line(Cli.JSON.createObjectNode().put("type", "problem").put("message", message));
                } else {
                    cli.err.println("rempart sentinel: " + message);
                }
            }
        };
        Watcher watcher = Watcher.start(new Watcher.Settings(paths, !noCanaries, mode, true,
                state != null ? state : defaultState(cli)), listener);
        Thread hook = new Thread(() -> {
            watcher.close();
            stop.countDown();
        }, "sentinel-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stop.await();
        return ExitCodes.OK;
    }

    /** The server of a rest: or s3: repository, which isolation must leave reachable; null for a local one. */
    static AllowedPeer repositoryPeer(String location) {
        if (location == null || !(location.startsWith("rest:") || location.startsWith("s3:"))) {
            return null;
        }
        String rest = location.substring(location.indexOf(':') + 1);
        if (!rest.startsWith("http://") && !rest.startsWith("https://")) {
            rest = "https://" + rest;
        }
        java.net.URI uri = java.net.URI.create(rest);
        int port = uri.getPort() > 0 ? uri.getPort() : rest.startsWith("https://") ? 443 : 80;
        return uri.getHost() == null ? null : new AllowedPeer(uri.getHost(), port);
    }

    /** One baseline file per set of watched folders, next to the default repository. */
    private Path defaultState(Cli cli) {
        List<String> roots = paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).sorted().toList();
        String key = Integer.toHexString(String.join("\0", roots).hashCode());
        return ProtectCommand.defaultRepository(cli).resolveSibling("sentinel").resolve("baseline-" + key + ".bin");
    }

    private synchronized void line(ObjectNode o) {
        Cli cli = sentinel.cli;
        try {
            cli.out.println(Cli.JSON.writeValueAsString(o));
            cli.out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ObjectNode alertJson(Watcher.Report report) {
        Alert a = report.alert();
        ObjectNode o = Cli.JSON.createObjectNode().put("type", "alert").put("time", a.time().toString()).put("score", a.score());
        ArrayNode ind = o.putArray("indicators");
        ObjectNode evidence = o.putObject("evidence");
        for (Map.Entry<Indicator, Integer> e : a.indicators().entrySet()) {
            String name = e.getKey().name().toLowerCase(Locale.ROOT);
            ind.add(name);
            evidence.put(name, e.getValue());
        }
        ArrayNode files = o.putArray("files");
        a.files().forEach(f -> files.add(f.toString()));
        ArrayNode procs = o.putArray("processes");
        for (Containment.ProcessAction p : report.processes()) {
            ObjectNode po = procs.addObject().put("pid", p.pid()).put("command_line", p.commandLine()).put("action", p.action());
            if (p.error() != null) {
                po.put("error", p.error());
            }
        }
        return o;
    }

    /** Runs the --on-alert command with the alert on stdin; returns "exit N" or the failure. */
    private String runOnAlert(ObjectNode alert) {
        try {
            String json = Cli.JSON.writeValueAsString(alert);
            boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
            ProcessBuilder pb = windows ? new ProcessBuilder("cmd.exe", "/c", onAlert) : new ProcessBuilder("/bin/sh", "-c", onAlert);
            pb.environment().put("REMPART_ALERT", json);
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(json.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the command does not read its input
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timeout";
            }
            return "exit " + p.exitValue();
        } catch (IOException e) {
            return "failed " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static OutputStream openEventLog(Path file) throws IOException {
        try {
            OwnerOnly.createFile(file);
        } catch (FileAlreadyExistsException e) {
            // appended to
        }
        return Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }
}
