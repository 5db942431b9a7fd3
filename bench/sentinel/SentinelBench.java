import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Benchmark driver for {@code rempart sentinel watch} against the Sentinel corpus (RansomSim and
 * BenignWorkload). Single-file program, JDK only; normally started by {@code bench/sentinel/run}.
 *
 * <pre>
 *   java bench/sentinel/SentinelBench.java [options]     see --help
 *   java bench/sentinel/SentinelBench.java --self-test   checks the parsing and statistics code
 * </pre>
 *
 * For every attack behaviour (R repetitions) and every benign workload it populates a fresh folder,
 * starts the watcher ({@code rempart sentinel watch DIR --events EVENTS --contain suspend --json}),
 * waits for its {@code {"type":"ready"}} line, runs the simulator with {@code --log} (ground truth)
 * and reads the watcher's alerts from its standard output. Linux only (/proc).
 */
public final class SentinelBench {

  static final List<String> BEHAVIOURS = List.of("inplace", "copy-delete", "rename-only",
      "partial", "intermittent", "sparse", "slow", "multi", "notes");
  static final List<String> WORKLOADS = List.of("zip", "7z", "gzip", "jpeg", "dicom", "office",
      "database", "update", "backup-tool", "browser-cache");
  static final Set<String> ALTERING_OPS = Set.of("encrypt", "copy", "delete", "rename");

  // Options.
  Path root;
  Path here;
  Path work;
  String rempart;
  int reps = 5;
  int files = 300;
  long seed = 1;
  List<String> behaviours = BEHAVIOURS;
  List<String> workloads = WORKLOADS;
  int idleS = 30;
  int readyTimeoutS = 120;
  int attackTimeoutS = 300;
  long slowIntervalMs = 10_000;
  int durationS = 10;
  Path results;
  final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--self-test")) {
      selfTest();
      System.out.println("SentinelBench self-test: OK");
      return;
    }
    SentinelBench b = new SentinelBench();
    b.here = Path.of(SentinelBench.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).getParent();
    b.root = b.here.getParent().getParent();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        usage();
      }
      switch (a) {
        case "--root": b.root = Path.of(v); i++; break;
        case "--work": b.work = Path.of(v); i++; break;
        case "--rempart": b.rempart = v; i++; break;
        case "--reps": b.reps = Integer.parseInt(v); i++; break;
        case "--files": b.files = Integer.parseInt(v); i++; break;
        case "--seed": b.seed = Long.parseLong(v); i++; break;
        case "--behaviours": b.behaviours = list(v); i++; break;
        case "--workloads": b.workloads = list(v); i++; break;
        case "--idle-s": b.idleS = Integer.parseInt(v); i++; break;
        case "--ready-timeout-s": b.readyTimeoutS = Integer.parseInt(v); i++; break;
        case "--attack-timeout-s": b.attackTimeoutS = Integer.parseInt(v); i++; break;
        case "--slow-interval-ms": b.slowIntervalMs = Long.parseLong(v); i++; break;
        case "--duration-s": b.durationS = Integer.parseInt(v); i++; break;
        case "--results": b.results = Path.of(v); i++; break;
        default: usage();
      }
    }
    if (b.rempart == null) {
      b.rempart = b.root.resolve("bin/rempart").toString();
    }
    if (b.work == null) {
      b.work = b.root.resolve("bench/out/sentinel-" + Instant.now().getEpochSecond());
    }
    if (b.results == null) {
      b.results = b.work.resolve("results.json");
    }
    for (String x : b.behaviours) {
      if (!BEHAVIOURS.contains(x)) {
        System.err.println("unknown behaviour " + x);
        usage();
      }
    }
    for (String x : b.workloads) {
      if (!WORKLOADS.contains(x)) {
        System.err.println("unknown workload " + x);
        usage();
      }
    }
    System.exit(b.run());
  }

  static List<String> list(String v) {
    return v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
  }

  static void usage() {
    System.err.println("usage: SentinelBench [--reps R (5)] [--files N (300)] [--seed S (1)]\n"
        + "  [--behaviours a,b,...] [--workloads a,b,...] (default: all; empty string: none)\n"
        + "  [--idle-s S (30; 0: skip)] [--duration-s S (10), per time-bound benign workload]\n"
        + "  [--ready-timeout-s S (120)] [--attack-timeout-s S (300)]"
        + " [--slow-interval-ms MS (10000)]\n"
        + "  [--work DIR (bench/out/sentinel-<epoch>)] [--results FILE (WORK/results.json)]\n"
        + "  [--root REPO] [--rempart PATH (REPO/bin/rempart)]\n"
        + "  behaviours: " + String.join(",", BEHAVIOURS) + "\n"
        + "  workloads:  " + String.join(",", WORKLOADS) + "\n"
        + "  --self-test: check the driver's parsing and statistics, run nothing");
    System.exit(2);
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  static final class AttackRun {
    String behaviour;
    int rep;
    boolean ready;
    boolean detected;
    boolean contained;
    int alteredAtContainment;
    int alteredTotal;
    Double secondsToAlert;
    String error;
  }

  static final class BenignRun {
    String workload;
    boolean ready;
    int falseAlerts;
    int suspensions;
    int exitCode;
    Double cpuPercent;
    Long peakRssKb;
    String error;
  }

  int run() throws Exception {
    if (!Files.isExecutable(Path.of(rempart))) {
      System.err.println("SentinelBench: " + rempart + " is not executable (build Rempart first:"
          + " ./mvnw -q -B package -DskipTests)");
      return 2;
    }
    Files.createDirectories(work);
    System.out.println("SentinelBench: work dir " + work + ", watcher " + rempart);
    List<AttackRun> attacks = new ArrayList<>();
    for (String b : behaviours) {
      for (int rep = 1; rep <= reps; rep++) {
        AttackRun r = attack(b, rep);
        attacks.add(r);
        System.out.printf(Locale.ROOT, "  %-13s rep %d: detected=%s altered=%d/%d t=%s%s%n", b,
            rep, r.detected, r.alteredAtContainment, r.alteredTotal,
            r.secondsToAlert == null ? "-" : String.format(Locale.ROOT, "%.3fs", r.secondsToAlert),
            r.error == null ? "" : " ERROR " + r.error);
      }
    }
    Map<String, Object> idle = idleS > 0 ? idle() : null;
    List<BenignRun> benign = new ArrayList<>();
    for (String w : workloads) {
      BenignRun r = benign(w);
      benign.add(r);
      System.out.printf(Locale.ROOT, "  %-13s false alerts=%d cpu=%s rss=%s%s%n", w, r.falseAlerts,
          fmt(r.cpuPercent, "%.1f%%"), r.peakRssKb == null ? "-" : r.peakRssKb / 1024 + " MiB",
          r.error == null ? "" : " ERROR " + r.error);
    }
    String table = table(attacks, benign, idle);
    System.out.println();
    System.out.print(table);
    Files.writeString(results, resultsJson(attacks, benign, idle));
    System.out.println("results: " + results);
    // Non-zero when a run could not be measured (watcher missing, crashed, never ready...).
    boolean errors = attacks.stream().anyMatch(r -> r.error != null)
        || benign.stream().anyMatch(r -> r.error != null)
        || (idle != null && idle.containsKey("error"));
    return errors ? 1 : 0;
  }

  Path populate(String name, long s) throws Exception {
    Path dir = work.resolve(name).resolve("data");
    Files.createDirectories(dir.getParent());
    int rc = exec(List.of(javaBin, here.resolve("RansomSim.java").toString(), "populate", "--dir",
        dir.toString(), "--files", Integer.toString(files), "--seed", Long.toString(s)),
        work.resolve(name).resolve("populate.out"));
    if (rc != 0) {
      throw new IOException("populate failed for " + dir);
    }
    return dir;
  }

  int exec(List<String> cmd, Path out) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    return p.waitFor();
  }

  AttackRun attack(String behaviour, int rep) throws Exception {
    AttackRun r = new AttackRun();
    r.behaviour = behaviour;
    r.rep = rep;
    String name = "attack-" + behaviour + "-" + rep;
    Path dir = populate(name, seed + rep);
    Path base = dir.getParent();
    Path simLog = base.resolve("sim.jsonl");
    Watcher w = new Watcher(rempart, dir, base);
    Process sim = null;
    try {
      if (!w.awaitReady(readyTimeoutS)) {
        r.error = w.process.isAlive() ? "watcher not ready after " + readyTimeoutS + " s"
            : "watcher exited with code " + w.process.exitValue() + " before ready (see "
                + base.resolve("watcher.err") + ")";
        return r;
      }
      r.ready = true;
      List<String> cmd = new ArrayList<>(List.of(javaBin,
          here.resolve("RansomSim.java").toString(), "attack", "--dir", dir.toString(),
          "--behaviour", behaviour, "--log", simLog.toString(),
          "--seed", Long.toString(seed + rep)));
      if (behaviour.equals("slow")) {
        cmd.add("--interval-ms");
        cmd.add(Long.toString(slowIntervalMs));
      }
      sim = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(base.resolve("sim.out").toFile()).start();
      long deadline = System.nanoTime() + attackTimeoutS * 1_000_000_000L;
      long endedAt = -1;
      while (w.alerts.isEmpty() && System.nanoTime() < deadline) {
        if (endedAt < 0 && !sim.isAlive()) {
          endedAt = System.nanoTime();
        }
        if (endedAt > 0 && System.nanoTime() - endedAt > 3_000_000_000L) {
          break;
        }
        Thread.sleep(20);
      }
      r.detected = !w.alerts.isEmpty();
      if (r.detected) {
        // Containment: every simulator process stopped (state T) or gone, within 3 s of the alert.
        // An attack that had already finished when the alert came was not contained.
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until && !contained(sim, simLog)) {
          Thread.sleep(10);
        }
        r.contained = contained(sim, simLog);
      }
      SimLog before = SimLog.read(simLog, behaviour.equals("notes"));
      r.alteredAtContainment = before.altered;
      if (r.detected) {
        Map<String, Object> alert = w.alerts.get(0);
        long alertNs = instantNanos((String) alert.get("time"));
        if (before.firstNs != null) {
          r.secondsToAlert = (alertNs - before.firstNs) / 1e9;
        }
      }
      if (r.detected && !r.contained) {
        // Not stopped: the damage goes on; report what happened by the end of the attack.
        sim.waitFor(Math.max(1, attackTimeoutS), TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      r.error = e.toString();
    } finally {
      if (sim != null) {
        killTree(sim.toHandle());
      }
      if (r.error == null && !w.process.isAlive()) {
        r.error = "watcher exited early with code " + w.process.exitValue();
      }
      w.stop();
    }
    r.alteredTotal = SimLog.read(simLog, behaviour.equals("notes")).altered;
    if (r.detected && !r.contained) {
      r.alteredAtContainment = r.alteredTotal;
    }
    return r;
  }

  Map<String, Object> idle() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    Path dir = populate("idle", seed);
    Watcher w = new Watcher(rempart, dir, dir.getParent());
    try {
      if (!w.awaitReady(readyTimeoutS)) {
        m.put("error", "watcher not ready after " + readyTimeoutS + " s");
        return m;
      }
      long[] before = cpuTicks(w.process.toHandle());
      long t0 = System.nanoTime();
      Thread.sleep(idleS * 1000L);
      long[] after = cpuTicks(w.process.toHandle());
      m.put("seconds", idleS);
      m.put("cpu_percent", cpuPercent(before, after, System.nanoTime() - t0));
      m.put("peak_rss_kb", peakRssKb(w.process.toHandle()));
      m.put("alerts", w.alerts.size());
      System.out.printf(Locale.ROOT, "  idle %d s: cpu=%.2f%% rss=%d MiB alerts=%d%n", idleS,
          (Double) m.get("cpu_percent"), (Long) m.get("peak_rss_kb") / 1024, w.alerts.size());
    } finally {
      w.stop();
    }
    return m;
  }

  BenignRun benign(String workload) throws Exception {
    BenignRun r = new BenignRun();
    r.workload = workload;
    Path dir = populate("benign-" + workload, seed);
    Path base = dir.getParent();
    Watcher w = new Watcher(rempart, dir, base);
    Process p = null;
    try {
      if (!w.awaitReady(readyTimeoutS)) {
        r.error = w.process.isAlive() ? "watcher not ready after " + readyTimeoutS + " s"
            : "watcher exited with code " + w.process.exitValue() + " before ready (see "
                + base.resolve("watcher.err") + ")";
        return r;
      }
      r.ready = true;
      long[] before = cpuTicks(w.process.toHandle());
      long t0 = System.nanoTime();
      p = new ProcessBuilder(javaBin, here.resolve("BenignWorkload.java").toString(), "--dir",
          dir.toString(), "--workload", workload, "--seed", Long.toString(seed), "--duration-s",
          Integer.toString(durationS)).redirectErrorStream(true)
          .redirectOutput(base.resolve("workload.out").toFile()).start();
      Set<Long> suspended = new HashSet<>();
      long deadline = System.nanoTime() + Math.max(600, durationS * 20L) * 1_000_000_000L;
      while (p.isAlive() && System.nanoTime() < deadline) {
        // A false alert suspends the workload: resume it so the run still measures the rest.
        for (ProcessHandle h : tree(p.toHandle())) {
          if (procState(h.pid()) == 'T') {
            suspended.add(h.pid());
            signal("CONT", h.pid());
          }
        }
        Thread.sleep(50);
      }
      r.exitCode = p.isAlive() ? -1 : p.exitValue();
      Thread.sleep(3000);
      long[] after = cpuTicks(w.process.toHandle());
      r.cpuPercent = cpuPercent(before, after, System.nanoTime() - t0);
      r.peakRssKb = peakRssKb(w.process.toHandle());
      r.falseAlerts = w.alerts.size();
      r.suspensions = suspended.size();
    } catch (Exception e) {
      r.error = e.toString();
    } finally {
      if (p != null) {
        killTree(p.toHandle());
      }
      if (r.error == null && !w.process.isAlive()) {
        r.error = "watcher exited early with code " + w.process.exitValue();
      }
      w.stop();
    }
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // The watcher process

  static final class Watcher {
    final Process process;
    final CountDownLatch ready = new CountDownLatch(1);
    final List<Map<String, Object>> alerts = new CopyOnWriteArrayList<>();
    final Thread reader;

    Watcher(String rempart, Path dir, Path base) throws IOException {
      process = new ProcessBuilder(rempart, "sentinel", "watch", dir.toString(), "--events",
          base.resolve("events.jsonl").toString(), "--contain", "suspend", "--json")
          .redirectError(base.resolve("watcher.err").toFile()).start();
      Path out = base.resolve("watcher.out");
      reader = new Thread(() -> {
        try (BufferedReader br = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = br.readLine()) != null) {
            Files.writeString(out, line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Map<String, Object> event = event(line);
            if (event == null) {
              continue;
            }
            if ("ready".equals(event.get("type"))) {
              ready.countDown();
            } else if ("alert".equals(event.get("type"))) {
              alerts.add(event);
            }
          }
        } catch (IOException e) {
          // watcher gone
        }
      }, "watcher-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    boolean awaitReady(int seconds) throws InterruptedException {
      long until = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < until) {
        if (ready.await(100, TimeUnit.MILLISECONDS)) {
          return true;
        }
        if (!process.isAlive()) {
          return false;
        }
      }
      return false;
    }

    void stop() throws InterruptedException {
      List<ProcessHandle> all = tree(process.toHandle());
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      for (ProcessHandle h : all) {
        h.destroyForcibly();
      }
    }
  }

  /** One stdout line of the watcher as a JSON object, or null when it is not one. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> event(String line) {
    String t = line.trim();
    if (!t.startsWith("{")) {
      return null;
    }
    try {
      Object o = Json.parse(t);
      return o instanceof Map ? (Map<String, Object>) o : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static long instantNanos(String iso) {
    Instant i = Instant.parse(iso);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  // ---------------------------------------------------------------------------------------------
  // The simulator's ground-truth log

  static final class SimLog {
    int altered;
    Long firstNs;
    Set<Long> pids = new HashSet<>();

    /** Distinct paths altered (note lines excluded) and the first altering write's t_ns. */
    static SimLog read(Path log, boolean notesCount) throws IOException {
      SimLog s = new SimLog();
      if (!Files.exists(log)) {
        return s;
      }
      return parse(Files.readAllLines(log), notesCount);
    }

    static SimLog parse(List<String> lines, boolean notesCount) {
      SimLog s = new SimLog();
      Set<String> paths = new HashSet<>();
      for (String l : lines) {
        Map<String, Object> m = event(l);
        if (m == null) {
          continue; // a line cut by a kill mid-write
        }
        String op = (String) m.get("op");
        long t = ((Number) m.get("t_ns")).longValue();
        s.pids.add(((Number) m.get("pid")).longValue());
        boolean altering = ALTERING_OPS.contains(op);
        if (altering) {
          paths.add((String) m.get("path"));
        }
        if (altering || (notesCount && "note".equals(op))) {
          s.firstNs = s.firstNs == null ? t : Math.min(s.firstNs, t);
        }
      }
      s.altered = paths.size();
      return s;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Processes (/proc)

  static List<ProcessHandle> tree(ProcessHandle h) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(h);
    h.descendants().forEach(all::add);
    return all;
  }

  /**
   * The attack is contained when it is still unfinished and every process that does the work is
   * stopped (state T) or gone: the ones that wrote (pids in the log) and the leaves of the process
   * tree. A parent that only waits for its children (multi) need not be stopped.
   */
  static boolean contained(Process sim, Path simLog) throws IOException {
    if (!sim.isAlive()) {
      return false;
    }
    Set<Long> writers = SimLog.read(simLog, true).pids;
    List<ProcessHandle> workers = new ArrayList<>();
    for (ProcessHandle h : tree(sim.toHandle())) {
      if (writers.contains(h.pid()) || h.children().findAny().isEmpty()) {
        workers.add(h);
      }
    }
    return allStopped(workers);
  }

  static boolean allStopped(List<ProcessHandle> handles) {
    for (ProcessHandle h : handles) {
      char s = procState(h.pid());
      if (s != 'T' && s != 't' && s != 'Z' && s != 'X' && s != '?') {
        return false;
      }
    }
    return true;
  }

  /** The state letter of /proc/PID/stat, '?' when the process is gone. */
  static char procState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return statFields(stat)[0].charAt(0);
    } catch (IOException e) {
      return '?';
    }
  }

  /** The fields after "(comm)": [0] is the state (field 3), [11]/[12] utime/stime (14/15). */
  static String[] statFields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
  }

  static void signal(String sig, long pid) {
    try {
      new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
    } catch (IOException | InterruptedException e) {
      // gone already
    }
  }

  /** Resumes then kills a process and all its descendants (SIGKILL works on stopped ones too). */
  static void killTree(ProcessHandle h) {
    List<ProcessHandle> all = tree(h);
    for (ProcessHandle p : all) {
      signal("CONT", p.pid());
    }
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
  }

  /** pid -> utime+stime ticks of the process and its descendants, as pairs [pid, ticks...]. */
  static long[] cpuTicks(ProcessHandle h) {
    List<ProcessHandle> all = tree(h);
    long[] r = new long[all.size() * 2];
    for (int i = 0; i < all.size(); i++) {
      r[2 * i] = all.get(i).pid();
      try {
        String[] f = statFields(Files.readString(Path.of("/proc/" + all.get(i).pid() + "/stat")));
        r[2 * i + 1] = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        r[2 * i + 1] = 0;
      }
    }
    return r;
  }

  /** CPU use between two samples, in % of one core (CLK_TCK is 100 on Linux). */
  static double cpuPercent(long[] before, long[] after, long wallNs) {
    Map<Long, Long> b = new HashMap<>();
    for (int i = 0; i < before.length; i += 2) {
      b.put(before[i], before[i + 1]);
    }
    long ticks = 0;
    for (int i = 0; i < after.length; i += 2) {
      ticks += after[i + 1] - b.getOrDefault(after[i], 0L);
    }
    return ticks / 100.0 / (wallNs / 1e9) * 100.0;
  }

  /** Sum of VmHWM (peak resident set) of the process and its descendants, in KiB. */
  static long peakRssKb(ProcessHandle h) {
    long kb = 0;
    for (ProcessHandle p : tree(h)) {
      try {
        kb += vmHwmKb(Files.readString(Path.of("/proc/" + p.pid() + "/status")));
      } catch (IOException e) {
        // gone
      }
    }
    return kb;
  }

  static long vmHwmKb(String status) {
    for (String l : status.split("\n")) {
      if (l.startsWith("VmHWM:")) {
        return Long.parseLong(l.substring(6).trim().split("\\s+")[0]);
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics and output

  static Double median(Collection<? extends Number> values) {
    double[] v = values.stream().filter(x -> x != null).mapToDouble(Number::doubleValue).sorted()
        .toArray();
    if (v.length == 0) {
      return null;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static Double max(Collection<? extends Number> values) {
    return values.stream().filter(x -> x != null).mapToDouble(Number::doubleValue).boxed()
        .max(Double::compare).orElse(null);
  }

  static String fmt(Double v, String f) {
    return v == null ? "-" : String.format(Locale.ROOT, f, v);
  }

  static Map<String, Object> summary(List<AttackRun> runs) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Integer> altered = runs.stream().map(r -> r.alteredAtContainment)
        .collect(Collectors.toList());
    List<Double> times = runs.stream().filter(r -> r.detected).map(r -> r.secondsToAlert)
        .collect(Collectors.toList());
    m.put("runs", runs.size());
    m.put("detected", runs.stream().filter(r -> r.detected).count());
    m.put("contained", runs.stream().filter(r -> r.contained).count());
    m.put("altered_median", median(altered));
    m.put("altered_max", max(altered));
    m.put("seconds_to_alert_median", median(times));
    m.put("seconds_to_alert_max", max(times));
    m.put("errors", runs.stream().filter(r -> r.error != null).count());
    return m;
  }

  static String table(List<AttackRun> attacks, List<BenignRun> benign, Map<String, Object> idle) {
    StringBuilder sb = new StringBuilder();
    Map<String, List<AttackRun>> by = new LinkedHashMap<>();
    for (AttackRun r : attacks) {
      by.computeIfAbsent(r.behaviour, k -> new ArrayList<>()).add(r);
    }
    if (!by.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "%-13s %9s %9s %13s %13s %10s%n", "behaviour",
          "detected", "contained", "altered med", "altered max", "t med/max"));
      for (Map.Entry<String, List<AttackRun>> e : by.entrySet()) {
        Map<String, Object> s = summary(e.getValue());
        sb.append(String.format(Locale.ROOT, "%-13s %9s %9s %13s %13s %s/%s%n", e.getKey(),
            s.get("detected") + "/" + s.get("runs"), s.get("contained") + "/" + s.get("runs"),
            fmt((Double) s.get("altered_median"), "%.1f"), fmt((Double) s.get("altered_max"),
                "%.0f"), fmt((Double) s.get("seconds_to_alert_median"), "%.3fs"),
            fmt((Double) s.get("seconds_to_alert_max"), "%.3fs")));
        if ((Long) s.get("errors") > 0) {
          sb.setLength(sb.length() - System.lineSeparator().length());
          sb.append("  ERRORS: ").append(s.get("errors")).append(System.lineSeparator());
        }
      }
    }
    if (idle != null && idle.containsKey("cpu_percent")) {
      sb.append(String.format(Locale.ROOT, "%nidle %ss: watcher cpu %.2f%% of one core, peak RSS"
          + " %d MiB, alerts %s%n", idle.get("seconds"), (Double) idle.get("cpu_percent"),
          (Long) idle.get("peak_rss_kb") / 1024, idle.get("alerts")));
    }
    if (!benign.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "%n%-13s %12s %11s %9s %10s %s%n", "workload",
          "false alerts", "suspensions", "cpu %", "peak RSS", "exit"));
      for (BenignRun r : benign) {
        sb.append(String.format(Locale.ROOT, "%-13s %12d %11d %9s %10s %d%s%n", r.workload,
            r.falseAlerts, r.suspensions, fmt(r.cpuPercent, "%.1f"),
            r.peakRssKb == null ? "-" : r.peakRssKb / 1024 + " MiB", r.exitCode,
            r.error == null ? "" : "  ERROR " + r.error));
      }
    }
    return sb.toString();
  }

  String resultsJson(List<AttackRun> attacks, List<BenignRun> benign, Map<String, Object> idle) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("watcher", rempart);
    m.put("files", files);
    m.put("reps", reps);
    m.put("seed", seed);
    Map<String, Object> perBehaviour = new LinkedHashMap<>();
    Map<String, List<AttackRun>> by = new LinkedHashMap<>();
    for (AttackRun r : attacks) {
      by.computeIfAbsent(r.behaviour, k -> new ArrayList<>()).add(r);
    }
    for (Map.Entry<String, List<AttackRun>> e : by.entrySet()) {
      Map<String, Object> s = summary(e.getValue());
      List<Object> runs = new ArrayList<>();
      for (AttackRun r : e.getValue()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("rep", r.rep);
        x.put("ready", r.ready);
        x.put("detected", r.detected);
        x.put("contained", r.contained);
        x.put("altered_at_containment", r.alteredAtContainment);
        x.put("altered_total", r.alteredTotal);
        x.put("seconds_to_alert", r.secondsToAlert);
        x.put("error", r.error);
        runs.add(x);
      }
      s.put("runs_detail", runs);
      perBehaviour.put(e.getKey(), s);
    }
    m.put("attacks", perBehaviour);
    m.put("idle", idle);
    Map<String, Object> perWorkload = new LinkedHashMap<>();
    for (BenignRun r : benign) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("ready", r.ready);
      x.put("false_alerts", r.falseAlerts);
      x.put("suspended_processes", r.suspensions);
      x.put("exit_code", r.exitCode);
      x.put("cpu_percent", r.cpuPercent);
      x.put("peak_rss_kb", r.peakRssKb);
      x.put("error", r.error);
      perWorkload.put(r.workload, x);
    }
    m.put("benign", perWorkload);
    return Json.write(m) + "\n";
  }

  // ---------------------------------------------------------------------------------------------
  // Minimal JSON (no dependencies allowed)

  static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(String text) {
      Json j = new Json(text);
      j.ws();
      Object v = j.value();
      j.ws();
      if (j.i != j.s.length()) {
        throw new IllegalArgumentException("trailing characters at " + j.i);
      }
      return v;
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private IllegalArgumentException err(String what) {
      return new IllegalArgumentException(what + " at " + i);
    }

    private Object value() {
      if (i >= s.length()) {
        throw err("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek('}')) {
          return m;
        }
        do {
          ws();
          if (s.charAt(i) != '"') {
            throw err("expected a key");
          }
          String k = string();
          ws();
          expect(':');
          ws();
          m.put(k, value());
          ws();
        } while (peek(','));
        expect('}');
        return m;
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek(']')) {
          return l;
        }
        do {
          ws();
          l.add(value());
          ws();
        } while (peek(','));
        expect(']');
        return l;
      }
      if (c == '"') {
        return string();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return null;
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String num = s.substring(start, i);
      if (num.isEmpty()) {
        throw err("unexpected character");
      }
      try {
        if (num.contains(".") || num.contains("e") || num.contains("E")) {
          return Double.parseDouble(num);
        }
        return Long.parseLong(num);
      } catch (NumberFormatException e) {
        throw err("bad number");
      }
    }

    private boolean peek(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw err("expected '" + c + "'");
      }
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw err("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n': sb.append('\n'); break;
          case 't': sb.append('\t'); break;
          case 'r': sb.append('\r'); break;
          case 'b': sb.append('\b'); break;
          case 'f': sb.append('\f'); break;
          case 'u':
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default: sb.append(e);
        }
      }
    }

    static String write(Object o) {
      if (o == null) {
        return "null";
      }
      if (o instanceof String) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : ((String) o).toCharArray()) {
          if (c == '"' || c == '\\') {
            sb.append('\\').append(c);
          } else if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
        return sb.append('"').toString();
      }
      if (o instanceof Double) {
        double d = (Double) o;
        return Double.isFinite(d) ? Double.toString(d) : "null";
      }
      if (o instanceof Number || o instanceof Boolean) {
        return o.toString();
      }
      if (o instanceof Map) {
        return ((Map<?, ?>) o).entrySet().stream()
            .map(e -> write(e.getKey().toString()) + ":" + write(e.getValue()))
            .collect(Collectors.joining(",", "{", "}"));
      }
      if (o instanceof Collection) {
        return ((Collection<?>) o).stream().map(Json::write)
            .collect(Collectors.joining(",", "[", "]"));
      }
      return write(o.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Self-test of the pieces that do not need a watcher

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("self-test failed: " + what);
    }
  }

  @SuppressWarnings("unchecked")
  static void selfTest() throws Exception {
    String alert = "{\"type\":\"alert\",\"time\":\"2026-11-23T10:15:30.123456789Z\",\"score\":87,"
        + "\"indicators\":[\"entropy\",\"rename-burst\"],\"files\":[\"/d/a.docx\",\"/d/b\\\"q\"],"
        + "\"processes\":[{\"pid\":4242,\"command_line\":\"java RansomSim.java attack\","
        + "\"action\":\"suspended\"}],\"actions\":[\"suspend 4242\"],\"x\":{\"y\":[1,2.5e3,"
        + "-3,true,false,null]}}";
    Map<String, Object> e = event(alert);
    check(e != null && "alert".equals(e.get("type")), "alert type");
    check(((Number) e.get("score")).longValue() == 87, "score");
    check(((List<Object>) e.get("files")).get(1).equals("/d/b\"q"), "escaped string");
    Map<String, Object> proc = (Map<String, Object>) ((List<Object>) e.get("processes")).get(0);
    check(((Number) proc.get("pid")).longValue() == 4242, "pid");
    check("suspended".equals(proc.get("action")), "action");
    List<Object> y = (List<Object>) ((Map<String, Object>) e.get("x")).get("y");
    check(y.equals(Arrays.asList(1L, 2500.0, -3L, true, false, null)), "literals " + y);
    check(event("not json") == null && event("{broken") == null, "non-JSON lines ignored");
    check("ready".equals(event("{\"type\":\"ready\",\"files\":300}").get("type")), "ready");
    check(Json.parse(Json.write(e)).equals(e), "write/parse round trip");

    long ns = instantNanos("2026-11-23T10:15:30.123456789Z");
    check(ns == Instant.parse("2026-11-23T10:15:30Z").getEpochSecond() * 1_000_000_000L
        + 123_456_789L, "instant nanos");
    check(instantNanos("2026-11-23T10:15:30Z") % 1_000_000_000L == 0, "instant without nanos");

    List<String> log = List.of(
        "{\"t_ns\":300,\"done_ns\":310,\"pid\":1,\"op\":\"note\",\"path\":\"/d/N.txt\"}",
        "{\"t_ns\":500,\"done_ns\":510,\"pid\":1,\"op\":\"copy\",\"path\":\"/d/a\",\"to\":\"/d/a.x\"}",
        "{\"t_ns\":520,\"done_ns\":530,\"pid\":1,\"op\":\"delete\",\"path\":\"/d/a\"}",
        "{\"t_ns\":400,\"done_ns\":450,\"pid\":2,\"op\":\"encrypt\",\"path\":\"/d/b\"}",
        "{\"t_ns\":600,\"done_ns\":650,\"pid\":2,\"op\":\"rename\",\"path\":\"/d/c\",\"to\":\"/d/c.x\"}",
        "{\"t_ns\":700,\"done_");
    SimLog s = SimLog.parse(log, false);
    check(s.altered == 3, "distinct altered paths " + s.altered);
    check(s.firstNs == 400L, "first altering write " + s.firstNs);
    check(s.pids.equals(Set.of(1L, 2L)), "pids");
    check(SimLog.parse(log, true).firstNs == 300L, "notes count for the notes behaviour");
    check(SimLog.parse(List.of(log.get(0)), false).altered == 0, "notes are not altered files");

    check(median(List.of(3, 1, 2)) == 2.0 && median(List.of(4, 1, 3, 2)) == 2.5, "median");
    check(median(List.of()) == null && max(List.of(1.5, 7.0, 2.0)) == 7.0, "empty median, max");
    check(median(Arrays.asList(1.0, null, 3.0)) == 2.0, "nulls ignored");

    String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30";
    String[] f = statFields(stat);
    check(f[0].equals("S") && f[11].equals("250") && f[12].equals("75"), "stat fields");
    check(Math.abs(cpuPercent(new long[] {1, 100, 2, 50}, new long[] {1, 150, 2, 50, 3, 25},
        1_000_000_000L) - 75.0) < 1e-9, "cpu percent");
    check(vmHwmKb("Name:\tjava\nVmPeak:\t  999 kB\nVmHWM:\t   12345 kB\n") == 12345, "VmHWM");
    check(procState(ProcessHandle.current().pid()) != '?', "own /proc state");
    check(peakRssKb(ProcessHandle.current()) > 0, "own VmHWM");
    check(cpuTicks(ProcessHandle.current())[1] > 0, "own CPU ticks");

    AttackRun a = new AttackRun();
    a.behaviour = "inplace";
    a.detected = true;
    a.contained = true;
    a.alteredAtContainment = 4;
    a.secondsToAlert = 0.25;
    AttackRun b = new AttackRun();
    b.behaviour = "inplace";
    b.alteredAtContainment = 300;
    Map<String, Object> sum = summary(List.of(a, b));
    check(((Long) sum.get("detected")) == 1 && (Double) sum.get("altered_median") == 152.0
        && (Double) sum.get("seconds_to_alert_max") == 0.25, "summary " + sum);
    BenignRun br = new BenignRun();
    br.workload = "zip";
    br.falseAlerts = 1;
    String t = table(List.of(a, b), List.of(br), null);
    check(t.contains("inplace") && t.contains("1/2") && t.contains("zip"), "table\n" + t);
    SentinelBench sb = new SentinelBench();
    sb.rempart = "x";
    Object parsed = Json.parse(sb.resultsJson(List.of(a, b), List.of(br), null));
    check(((Map<String, Object>) ((Map<String, Object>) parsed).get("attacks"))
        .containsKey("inplace"), "results JSON");
  }
}
