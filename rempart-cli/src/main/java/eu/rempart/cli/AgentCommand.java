package eu.rempart.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.rempart.agent.Agent;
import eu.rempart.agent.AgentStatus;
import eu.rempart.agent.Alerts;
import eu.rempart.agent.config.AgentConfig;
import eu.rempart.agent.store.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rempart agent run|status|history|install}: the scheduled service and what it recorded. */
@Command(name = "agent", description = "the backup agent: run it, see its state and history, install it as a service",
        subcommands = {AgentCommand.Run.class, AgentCommand.Status.class, AgentCommand.History.class,
                AgentCommand.Install.class})
final class AgentCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Option(names = "--config", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "the agent's YAML configuration (default: $REMPART_AGENT_CONFIG, else /etc/rempart/agent.yaml)")
    Path config;

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public Integer call() {
        throw new CliException(ExitCodes.ERROR, "agent.subcommand");
    }

    AgentConfig load() throws IOException {
        Path f = config != null ? config
                : cli.env("REMPART_AGENT_CONFIG") != null ? Path.of(cli.env("REMPART_AGENT_CONFIG"))
                : Path.of("/etc/rempart/agent.yaml");
        if (!Files.isReadable(f)) {
            throw new CliException(ExitCodes.ERROR, "agent.noConfig", f);
        }
        try {
            return AgentConfig.load(f.toAbsolutePath(), cli.hostname());
        } catch (AgentConfig.ConfigException e) {
            throw new CliException(ExitCodes.ERROR, "agent.badConfig", e.describe(cli.msg().locale()));
        }
    }

    // ------------------------------------------------------------------ run

    @Command(name = "run", description = "run the schedule until stopped (a service's main process)")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Override
        public Integer call() throws Exception {
            Cli cli = agent.cli;
            AgentConfig cfg = agent.load();
            Alerts alerts;
            try {
                alerts = eu.rempart.agent.NotifyingAlerts.of(cfg, line -> log(cli, line));
            } catch (AgentConfig.ConfigException e) {
                throw new CliException(ExitCodes.ERROR, "agent.badConfig", e.describe(cli.msg().locale()));
            }
            try (RunStore store = RunStore.open(cfg.stateDir())) {
                Agent a = new Agent(cfg, store, alerts, Clock.systemDefaultZone(), line -> log(cli, line));
                // SIGTERM (service stop): stop firing, let runs under way end; the hook must not wait for
                // this thread itself, which may call System.exit and would then wait for the hook
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    a.stop();
                    try {
                        done.await(2, java.util.concurrent.TimeUnit.MINUTES);
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                }, "rempart-agent-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    a.run();
                } finally {
                    a.close();
                    done.countDown();
                }
            }
            return ExitCodes.OK;
        }

        private static synchronized void log(Cli cli, String line) {
            cli.out.println(TIME.format(Instant.now()) + " " + line);
            cli.out.flush();
        }
    }

    // ------------------------------------------------------------------ status

    @Command(name = "status", description = "the age of the last good backup of each repository, recent failures, next runs "
            + "(exit code 1 if a backup is missing or a last run failed)")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Override
        public Integer call() throws Exception {
            Cli cli = agent.cli;
            AgentConfig cfg = agent.load();
            AgentStatus st;
            try (RunStore store = RunStore.open(cfg.stateDir())) {
                st = AgentStatus.of(cfg, store, Instant.now(), ZoneId.systemDefault());
            }
            boolean ok = true;
            for (AgentStatus.RepositoryState r : st.repositories()) {
                ok &= !r.backupMissing();
                for (RunStore.Run run : r.lastRuns()) {
                    ok &= run.status() != RunStore.Status.FAILURE;
                }
            }
            if (cli.json) {
                ObjectNode n = Cli.JSON.createObjectNode();
                n.put("ok", ok);
                n.put("host", cfg.host());
                n.put("now", st.now().toString());
                ArrayNode rs = n.putArray("repositories");
                for (AgentStatus.RepositoryState r : st.repositories()) {
                    ObjectNode o = rs.addObject();
                    o.put("repository", r.repository());
                    o.put("last_good_backup", r.lastGoodBackup() == null ? null : r.lastGoodBackup().toString());
                    if (r.lastGoodBackup() != null) {
                        o.put("last_good_backup_age_seconds", Duration.between(r.lastGoodBackup(), st.now()).toSeconds());
                    }
                    if (r.expectedEvery() != null) {
                        o.put("expected_every_seconds", r.expectedEvery().toSeconds());
                    }
                    o.put("backup_missing", r.backupMissing());
                    o.put("failures_last_24h", r.failuresLast24h());
                    ArrayNode last = o.putArray("last_runs");
                    r.lastRuns().forEach(x -> last.add(History.json(x, false)));
                }
                ArrayNode js = n.putArray("jobs");
                for (AgentStatus.JobState j : st.jobs()) {
                    js.addObject().put("job", j.job()).put("type", j.type()).put("schedule", j.schedule())
                            .put("last_fired", j.lastFired() == null ? null : j.lastFired().toString())
                            .put("next", j.next() == null ? null : j.next().toString());
                }
                cli.printJson(n);
            } else if (!cli.quiet) {
                Messages m = cli.msg();
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {m.get("agent.col.repository"), m.get("agent.col.lastGood"), m.get("agent.col.age"),
                        m.get("agent.col.failures"), m.get("agent.col.state")});
                for (AgentStatus.RepositoryState r : st.repositories()) {
                    String lastRun = r.lastRuns().stream().filter(x -> x.status() == RunStore.Status.FAILURE)
                            .map(x -> m.get("agent.state.failed", x.kind())).findFirst().orElse("");
                    rows.add(new String[] {r.repository(),
                            r.lastGoodBackup() == null ? m.get("agent.never") : TIME.format(r.lastGoodBackup()),
                            r.lastGoodBackup() == null ? "" : Messages.duration(Duration.between(r.lastGoodBackup(), st.now())),
                            Integer.toString(r.failuresLast24h()),
                            r.backupMissing() ? m.get("agent.state.missing") : lastRun.isEmpty() ? m.get("agent.state.ok") : lastRun});
                }
                Table.print(cli.out, rows);
                cli.out.println();
                List<String[]> jobs = new ArrayList<>();
                jobs.add(new String[] {m.get("agent.col.job"), m.get("agent.col.type"), m.get("agent.col.schedule"),
                        m.get("agent.col.next")});
                for (AgentStatus.JobState j : st.jobs()) {
                    jobs.add(new String[] {j.job(), j.type(), j.schedule(), j.next() == null ? "" : TIME.format(j.next())});
                }
                Table.print(cli.out, jobs);
            }
            return ok ? ExitCodes.OK : ExitCodes.ERROR;
        }
    }

    // ------------------------------------------------------------------ history

    @Command(name = "history", description = "the last runs, newest first, with their reports (--json)")
    static final class History implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "how many runs (default 50)")
        int limit;

        @Option(names = "--repository", paramLabel = "NAME", description = "only this repository")
        String repository;

        @Option(names = "--kind", paramLabel = "KIND", description = "only backup, copy, forget, prune, check or restore-test")
        String kind;

        @Override
        public Integer call() throws Exception {
            Cli cli = agent.cli;
            AgentConfig cfg = agent.load();
            List<RunStore.Run> runs;
            try (RunStore store = RunStore.open(cfg.stateDir())) {
                runs = store.history(Math.max(1, limit), repository, kind);
            }
            if (cli.json) {
                ArrayNode a = Cli.JSON.createArrayNode();
                runs.forEach(r -> a.add(json(r, true)));
                cli.printJson(a);
                return ExitCodes.OK;
            }
            Messages m = cli.msg();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {m.get("agent.col.started"), m.get("agent.col.took"), m.get("agent.col.kind"),
                    m.get("agent.col.repository"), m.get("agent.col.status"), m.get("agent.col.summary")});
            for (RunStore.Run r : runs) {
                rows.add(new String[] {TIME.format(r.started()),
                        r.finished() == null ? "" : Messages.duration(Duration.between(r.started(), r.finished())),
                        r.kind(), r.repository(), m.get("agent.status." + r.status().name().toLowerCase()),
                        r.summary() == null ? "" : r.summary()});
            }
            if (!cli.quiet) {
                Table.print(cli.out, rows);
            }
            return ExitCodes.OK;
        }

        static ObjectNode json(RunStore.Run r, boolean withReport) {
            ObjectNode o = Cli.JSON.createObjectNode();
            o.put("id", r.id());
            o.put("job", r.job());
            o.put("kind", r.kind());
            o.put("repository", r.repository());
            o.put("started", r.started().toString());
            o.put("finished", r.finished() == null ? null : r.finished().toString());
            o.put("status", r.status().name().toLowerCase());
            o.put("summary", r.summary());
            if (withReport && r.report() != null) {
                try {
                    JsonNode rep = Cli.JSON.readTree(r.report());
                    o.set("report", rep);
                } catch (IOException e) {
                    o.put("report", r.report());
                }
            }
            return o;
        }
    }

    // ------------------------------------------------------------------ install

    @Command(name = "install", description = "write the service definitions: a systemd unit and a Windows service (WinSW) file")
    static final class Install implements Callable<Integer> {
        @ParentCommand
        AgentCommand agent;

        @Option(names = "--unit-dir", paramLabel = "DIR",
                description = "where the systemd unit goes (default /etc/systemd/system as root, else ~/.config/systemd/user)")
        Path unitDir;

        @Option(names = "--windows-dir", paramLabel = "DIR",
                description = "where the Windows service definition goes (default: the configuration's folder)")
        Path windowsDir;

        @Override
        public Integer call() throws Exception {
            Cli cli = agent.cli;
            AgentConfig cfg = agent.load(); // a service must not be installed with a broken configuration
            Path conf = cfg.file().toAbsolutePath();
            String launcher = System.getProperty("rempart.launcher", "/usr/local/bin/rempart");
            boolean root = "root".equals(System.getProperty("user.name"));
            Path units = unitDir != null ? unitDir
                    : root ? Path.of("/etc/systemd/system") : Path.of(System.getProperty("user.home"), ".config/systemd/user");
            Files.createDirectories(units);
            Path unit = units.resolve("rempart-agent.service");
            Files.writeString(unit, systemdUnit(launcher, conf, cfg.stateDir()), StandardCharsets.UTF_8);
            Path win = (windowsDir != null ? windowsDir : conf.getParent()).resolve("rempart-agent.xml");
            Files.createDirectories(win.getParent());
            Files.writeString(win, winswDefinition(conf), StandardCharsets.UTF_8);
            if (cli.json) {
                cli.printJson(Cli.JSON.createObjectNode().put("systemd_unit", unit.toString()).put("windows_service", win.toString()));
            } else {
                cli.say("agent.installed", unit, win, root && unitDir == null ? "" : "--user ");
            }
            return ExitCodes.OK;
        }

        static String systemdUnit(String launcher, Path conf, Path stateDir) {
            return """
                    [Unit]
                    Description=Rempart backup agent (scheduled backups, copies, checks, restore tests)
                    Wants=network-online.target
                    After=network-online.target

                    [Service]
                    Type=simple
                    ExecStart=%s agent run --config %s
                    Restart=on-failure
                    RestartSec=30
                    # the agent reads what it backs up; it writes only its state and its repositories
                    UMask=0077
                    NoNewPrivileges=yes
                    PrivateTmp=yes
                    ProtectSystem=full
                    ReadWritePaths=%s
                    Nice=10
                    IOSchedulingClass=idle

                    [Install]
                    WantedBy=multi-user.target
                    """.formatted(quote(launcher), quote(conf.toString()), quote(stateDir.toString()));
        }

        /** systemd's quoting: double quotes, with backslashes and quotes escaped. */
        static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        static String winswDefinition(Path conf) {
            String c = conf.toString().replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
            return """
                    <!-- Windows service definition for WinSW (https://github.com/winsw/winsw): copy WinSW.exe next to
                         this file as rempart-agent.exe, then run "rempart-agent.exe install" and "rempart-agent.exe start". -->
                    <service>
                      <id>rempart-agent</id>
                      <name>Rempart backup agent</name>
                      <description>Scheduled backups, off-site copies, checks and restore tests (Rempart).</description>
                      <executable>%%BASE%%\\rempart.cmd</executable>
                      <arguments>agent run --config "%s"</arguments>
                      <startmode>Automatic</startmode>
                      <delayedAutoStart>true</delayedAutoStart>
                      <onfailure action="restart" delay="30 sec"/>
                      <stoptimeout>120 sec</stoptimeout>
                      <log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>8</keepFiles></log>
                    </service>
                    """.formatted(c);
        }
    }
}
