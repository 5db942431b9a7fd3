package eu.rempart.sentinel.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the Sentinel test corpus (bench/sentinel/RansomSim.java and BenignWorkload.java) as real
 * processes, the way CI and the benchmark use it, and checks that every simulator behaviour does
 * exactly what it claims, never touches anything outside its folder, and that every benign workload
 * runs inside its folder.
 */
class CorpusTest {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path SIM = REPO.resolve("bench/sentinel/RansomSim.java");
  static final Path BENIGN = REPO.resolve("bench/sentinel/BenignWorkload.java");
  static final Path BENCH = REPO.resolve("bench/sentinel/SentinelBench.java");
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final String MARKER = ".rempart-simulator";
  static final String NOTE = "HOW_TO_RECOVER_FILES.txt";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static Path template;
  static Map<String, byte[]> original;

  record Result(int exit, String out) {}

  static Result run(Path cwd, Path program, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1",
        program.toString()));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    // Drain output while waiting so a chatty child never blocks on a full pipe.
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    reader.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    reader.join();
    return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
  }

  /** Relative path -> content, for every regular file (links are not followed). */
  static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
          .collect(Collectors.toList())) {
        m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }

  static Set<String> folders(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(f -> Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS))
          .map(f -> dir.relativize(f).toString()).collect(Collectors.toSet());
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.collect(Collectors.toList())) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  @BeforeAll
  static void populateTemplate() throws Exception {
    template = shared.resolve("template");
    Result r = run(shared, SIM, "populate", "--dir", template.toString(), "--files", "40",
        "--seed", "11");
    assertThat(r.exit()).as(r.out()).isZero();
    original = snapshot(template);
  }

  /** A fresh copy of the populated template (copying is much faster than populating). */
  static Path victim(Path tmp) throws IOException {
    Path dir = tmp.resolve("victim");
    copyTree(template, dir);
    return dir;
  }

  static Result attack(Path dir, Path log, String behaviour, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("attack", "--dir", dir.toString(), "--behaviour",
        behaviour, "--log", log.toString(), "--seed", "5"));
    args.addAll(Arrays.asList(extra));
    Result r = run(dir.getParent(), SIM, args.toArray(String[]::new));
    assertThat(r.exit()).as(r.out()).isZero();
    return r;
  }

  /** Parses and checks the ground-truth log; returns its lines. */
  static List<JsonNode> log(Path log, Path dir, long startNs) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    long endNs = nowNs();
    Map<Long, Long> lastByPid = new TreeMap<>();
    for (String l : Files.readAllLines(log)) {
      JsonNode n = JSON.readTree(l);
      assertThat(n.get("t_ns").isIntegralNumber()).as(l).isTrue();
      long t = n.get("t_ns").asLong();
      long done = n.get("done_ns").asLong();
      assertThat(t).as(l).isBetween(startNs, endNs);
      assertThat(done).as(l).isBetween(t, endNs);
      assertThat(n.get("op").asText()).isIn("encrypt", "copy", "delete", "rename", "note");
      assertThat(n.get("path").asText()).startsWith(dir.toRealPath() + "/");
      long pid = n.get("pid").asLong();
      // Time-ordered: each process logs its operations in the order it made them.
      assertThat(t).as(l).isGreaterThanOrEqualTo(lastByPid.getOrDefault(pid, 0L));
      lastByPid.put(pid, t);
      lines.add(n);
    }
    return lines;
  }

  static long nowNs() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  static Map<String, byte[]> originalFiles() {
    Map<String, byte[]> m = new TreeMap<>(original);
    m.remove(MARKER);
    return m;
  }

  static boolean sameContent(Map<String, byte[]> a, Map<String, byte[]> b) {
    return a.keySet().equals(b.keySet())
        && a.keySet().stream().allMatch(k -> Arrays.equals(a.get(k), b.get(k)));
  }

  static boolean blockDiffers(byte[] a, byte[] b, int from, int to) {
    return !Arrays.equals(a, from, to, b, from, to);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void populateIsDeterministicAndRefusesAnExistingFolder(@TempDir Path tmp) throws Exception {
    Path again = tmp.resolve("again");
    assertThat(run(tmp, SIM, "populate", "--dir", again.toString(), "--files", "40", "--seed",
        "11").exit()).isZero();
    Map<String, byte[]> second = snapshot(again);
    assertThat(second.keySet()).isEqualTo(original.keySet());
    for (String k : original.keySet()) {
      assertThat(second.get(k)).as(k).isEqualTo(original.get(k));
    }
    // The tree looks like a practice's: the expected folders and real formats.
    assertThat(folders(template)).contains("Patients", "Radiologie", "Comptabilite", "Courriers",
        "Agenda");
    Set<String> exts = original.keySet().stream().filter(k -> k.contains("."))
        .map(k -> k.substring(k.lastIndexOf('.') + 1)).collect(Collectors.toSet());
    assertThat(exts).contains("docx", "pdf", "jpg", "dcm");
    for (Map.Entry<String, byte[]> e : original.entrySet()) {
      byte[] b = e.getValue();
      if (e.getKey().endsWith(".dcm")) {
        assertThat(new String(b, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
      } else if (e.getKey().endsWith(".docx") || e.getKey().endsWith(".xlsx")
          || e.getKey().endsWith(".odt")) {
        assertThat(new String(b, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("PK");
      } else if (e.getKey().endsWith(".pdf")) {
        assertThat(new String(b, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
      } else if (e.getKey().endsWith(".db")) {
        assertThat(new String(b, 0, 16, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3\0");
      }
    }
    Path other = tmp.resolve("other");
    run(tmp, SIM, "populate", "--dir", other.toString(), "--files", "40", "--seed", "12");
    assertThat(snapshot(other).keySet()).isNotEqualTo(original.keySet());

    Result refused = run(tmp, SIM, "populate", "--dir", again.toString(), "--files", "5");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.out()).contains("already exists");
    assertThat(snapshot(again).keySet()).isEqualTo(second.keySet());
  }

  @Test
  void attackRefusesAFolderWithoutTheMarker(@TempDir Path tmp) throws Exception {
    Path real = tmp.resolve("real-data");
    Files.createDirectories(real.resolve("Patients"));
    Files.writeString(real.resolve("Patients/dossier.txt"), "precious");
    Files.writeString(real.resolve("notes.txt"), "also precious");
    Map<String, byte[]> before = snapshot(real);
    for (String b : List.of("inplace", "copy-delete", "rename-only", "notes", "multi")) {
      Result r = run(tmp, SIM, "attack", "--dir", real.toString(), "--behaviour", b, "--log",
          tmp.resolve("log").toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.out()).contains("REFUSED");
    }
    assertThat(sameContent(snapshot(real), before)).isTrue();
    assertThat(folders(real)).containsExactlyInAnyOrder("", "Patients");
    // A marker reached through a symbolic link to the folder does not count either.
    Path sim = victim(tmp);
    Path link = Files.createSymbolicLink(tmp.resolve("link"), sim);
    assertThat(run(tmp, SIM, "attack", "--dir", link.toString(), "--behaviour", "inplace").exit())
        .isEqualTo(2);
    assertThat(snapshot(sim).keySet()).isEqualTo(original.keySet());
  }

  @Test
  void inplaceEncryptsEveryFileIncludingForeignOnesAndNeverFollowsLinks(@TempDir Path tmp)
      throws Exception {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("target.txt"), "outside the simulator folder");
    Path dir = victim(tmp);
    Files.createSymbolicLink(dir.resolve("Patients/lien.txt"), outside.resolve("target.txt"));
    Files.createSymbolicLink(dir.resolve("Courriers/dossier-lien"), outside);
    Files.writeString(outside.resolve("hard.txt"), "shared inode with a name inside");
    Files.createLink(dir.resolve("Agenda/lien-dur.txt"), outside.resolve("hard.txt"));
    // A file the simulator did not create (a watcher's canary): treated like any other.
    byte[] canary = "canary content that must be encrypted".repeat(40)
        .getBytes(StandardCharsets.US_ASCII);
    Files.write(dir.resolve("Agenda/~canary-0001.docx"), canary);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "inplace");

    assertThat(Files.readString(outside.resolve("target.txt")))
        .isEqualTo("outside the simulator folder");
    assertThat(Files.readString(outside.resolve("hard.txt")))
        .isEqualTo("shared inode with a name inside");
    assertThat(snapshot(outside).keySet()).containsExactlyInAnyOrder("target.txt", "hard.txt");
    Map<String, byte[]> after = snapshot(dir);
    Map<String, byte[]> expected = originalFiles();
    assertThat(after.keySet()).containsAll(expected.keySet()).contains("Agenda/~canary-0001.docx");
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(after.get(e.getKey())).as(e.getKey()).hasSameSizeAs(e.getValue())
          .isNotEqualTo(e.getValue());
    }
    assertThat(after.get("Agenda/~canary-0001.docx")).hasSameSizeAs(canary).isNotEqualTo(canary);
    assertThat(after.get(MARKER)).isEqualTo(original.get(MARKER));

    List<JsonNode> lines = log(log, dir, start);
    assertThat(lines).hasSize(expected.size() + 1).allMatch(n -> n.get("op").asText()
        .equals("encrypt"));
    assertThat(lines.stream().map(n -> n.get("path").asText()).collect(Collectors.toSet()))
        .hasSize(expected.size() + 1);
  }

  @Test
  void copyDeleteWritesEncryptedCopiesWithOneNewExtensionAndDeletesOriginals(@TempDir Path tmp)
      throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "copy-delete");
    Map<String, byte[]> after = snapshot(dir);
    Map<String, byte[]> expected = originalFiles();
    String anyNew = after.keySet().stream().filter(k -> !k.equals(MARKER)).findFirst().get();
    String ext = anyNew.substring(anyNew.lastIndexOf('.') + 1);
    assertThat(ext).matches("[a-z0-9]{5,8}");
    assertThat(after).hasSize(expected.size() + 1);
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(after).doesNotContainKey(e.getKey());
      byte[] copy = after.get(e.getKey() + "." + ext);
      assertThat(copy).as(e.getKey()).hasSameSizeAs(e.getValue()).isNotEqualTo(e.getValue());
    }
    List<JsonNode> lines = log(log, dir, start);
    assertThat(lines.stream().filter(n -> n.get("op").asText().equals("copy"))).hasSize(
        expected.size());
    assertThat(lines.stream().filter(n -> n.get("op").asText().equals("delete"))).hasSize(
        expected.size());
  }

  @Test
  void renameOnlyKeepsTheBytesUnderNewNames(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "rename-only");
    Map<String, byte[]> after = snapshot(dir);
    Map<String, byte[]> expected = originalFiles();
    assertThat(after).hasSize(expected.size() + 1);
    Set<String> exts = new HashSet<>();
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      String renamed = after.keySet().stream().filter(k -> k.startsWith(e.getKey() + "."))
          .filter(k -> k.indexOf('/', e.getKey().length()) < 0 && k.lastIndexOf('.') == e.getKey()
              .length()).findFirst().orElseThrow(() -> new AssertionError(e.getKey()));
      exts.add(renamed.substring(e.getKey().length() + 1));
      assertThat(after.get(renamed)).isEqualTo(e.getValue());
    }
    assertThat(exts).hasSize(1);
    assertThat(log(log, dir, start)).hasSize(expected.size())
        .allMatch(n -> n.get("op").asText().equals("rename") && n.has("to"));
  }

  @Test
  void partialEncryptsOnlyTheFirstKibibyte(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "partial");
    Map<String, byte[]> after = snapshot(dir);
    for (Map.Entry<String, byte[]> e : originalFiles().entrySet()) {
      byte[] a = e.getValue();
      byte[] b = after.get(e.getKey());
      assertThat(b).as(e.getKey()).hasSameSizeAs(a);
      int head = Math.min(1024, a.length);
      for (int off = 0; off < head; off += 16) {
        assertThat(blockDiffers(a, b, off, Math.min(off + 16, head))).as(e.getKey() + "@" + off)
            .isTrue();
      }
      assertThat(Arrays.equals(a, head, a.length, b, head, b.length)).as(e.getKey()).isTrue();
    }
    assertThat(log(log, dir, start)).hasSize(original.size() - 1);
  }

  @Test
  void intermittentEncryptsExactlyEveryOtherSixteenByteBlock(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "intermittent");
    Map<String, byte[]> after = snapshot(dir);
    for (Map.Entry<String, byte[]> e : originalFiles().entrySet()) {
      byte[] a = e.getValue();
      byte[] b = after.get(e.getKey());
      assertThat(b).as(e.getKey()).hasSameSizeAs(a);
      for (int off = 0, k = 0; off < a.length; off += 16, k++) {
        int end = Math.min(off + 16, a.length);
        // A 16-byte AES-CTR block equals its plaintext with probability 2^-128.
        assertThat(blockDiffers(a, b, off, end)).as(e.getKey() + " block " + k)
            .isEqualTo(k % 2 == 0);
      }
    }
    assertThat(log(log, dir, start)).hasSize(original.size() - 1);
  }

  @Test
  void sparseEncryptsAboutFourPercentStartingAtOffsetZero(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "sparse");
    Map<String, byte[]> after = snapshot(dir);
    long total = 0;
    long differing = 0;
    for (Map.Entry<String, byte[]> e : originalFiles().entrySet()) {
      byte[] a = e.getValue();
      byte[] b = after.get(e.getKey());
      assertThat(b).as(e.getKey()).hasSameSizeAs(a);
      assertThat(blockDiffers(a, b, 0, Math.min(8, a.length))).as(e.getKey()).isTrue();
      int diff = 0;
      for (int i = 0; i < a.length; i++) {
        if (a[i] != b[i]) {
          diff++;
        }
      }
      if (a.length >= 4096) {
        assertThat(diff / (double) a.length).as(e.getKey()).isBetween(0.03, 0.05);
        // Ten separate pieces: the middle of the file is hit too.
        assertThat(blockDiffers(a, b, a.length / 2, a.length / 2 + a.length / 25)).isTrue();
      }
      total += a.length;
      differing += diff;
    }
    assertThat(differing / (double) total).isBetween(0.03, 0.05);
    assertThat(log(log, dir, start)).hasSize(original.size() - 1);
  }

  @Test
  void notesDropsTheSameNoteInEveryFolderAndNothingElse(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "notes");
    Map<String, byte[]> after = snapshot(dir);
    Set<String> folders = folders(dir);
    Set<byte[]> notes = new HashSet<>();
    for (String f : folders) {
      String rel = f.isEmpty() ? NOTE : f + "/" + NOTE;
      assertThat(after).as(rel).containsKey(rel);
      notes.add(after.get(rel));
    }
    assertThat(notes.stream().map(n -> new String(n, StandardCharsets.US_ASCII)).distinct())
        .hasSize(1).allMatch(n -> n.contains("ENCRYPTED"));
    for (Map.Entry<String, byte[]> e : original.entrySet()) {
      assertThat(after.get(e.getKey())).isEqualTo(e.getValue());
    }
    assertThat(after).hasSize(original.size() + folders.size());
    assertThat(log(log, dir, start)).hasSize(folders.size())
        .allMatch(n -> n.get("op").asText().equals("note"));
  }

  @Test
  void noteOptionDropsNotesBeforeAttacking(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "rename-only", "--note");
    List<JsonNode> lines = log(log, dir, start);
    assertThat(lines.get(0).get("op").asText()).isEqualTo("note");
    assertThat(lines.stream().filter(n -> n.get("op").asText().equals("note")))
        .hasSize(folders(dir).size());
    assertThat(Files.exists(dir.resolve("Patients/" + NOTE))).isTrue();
  }

  @Test
  void multiRunsSeveralProcessesOnDisjointShards(@TempDir Path tmp) throws Exception {
    Path dir = victim(tmp);
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "multi", "--processes", "3");
    List<JsonNode> lines = log(log, dir, start);
    Map<String, byte[]> expected = originalFiles();
    assertThat(lines).hasSize(expected.size());
    assertThat(lines.stream().map(n -> n.get("path").asText()).distinct()).hasSize(
        expected.size());
    assertThat(lines.stream().map(n -> n.get("pid").asLong()).distinct().count())
        .isGreaterThanOrEqualTo(2);
    Map<String, byte[]> after = snapshot(dir);
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(after.get(e.getKey())).as(e.getKey()).hasSameSizeAs(e.getValue())
          .isNotEqualTo(e.getValue());
    }
  }

  @Test
  void slowEncryptsOneFileEveryInterval(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("small");
    assertThat(run(tmp, SIM, "populate", "--dir", dir.toString(), "--files", "5").exit())
        .isZero();
    Path log = tmp.resolve("sim.log");
    long start = nowNs();
    attack(dir, log, "slow", "--interval-ms", "300");
    List<JsonNode> lines = log(log, dir, start);
    assertThat(lines).hasSize(5);
    for (int i = 1; i < lines.size(); i++) {
      long gap = lines.get(i).get("t_ns").asLong() - lines.get(i - 1).get("t_ns").asLong();
      assertThat(gap).isGreaterThanOrEqualTo(250_000_000L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zip", "7z", "gzip", "jpeg", "dicom", "office", "database", "update",
      "backup-tool", "browser-cache"})
  void benignWorkloadRunsInsideItsFolder(String workload, @TempDir Path tmp) throws Exception {
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("keep.txt"), "untouched");
    Path dir = victim(tmp);
    Files.createSymbolicLink(dir.resolve("Patients/lien-externe"), outside);
    Result r = run(tmp, BENIGN, "--dir", dir.toString(), "--workload", workload, "--duration-s",
        "1", "--db-mib", "8", "--seed", "3");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("BenignWorkload " + workload + ":");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("outside",
          "victim");
    }
    assertThat(snapshot(outside).keySet()).containsExactly("keep.txt");
    assertThat(Files.readString(outside.resolve("keep.txt"))).isEqualTo("untouched");
    assertThat(sameContent(snapshot(dir), original)).as("the workload changed something").isFalse();
    assertThat(Files.readAllBytes(dir.resolve(MARKER))).isEqualTo(original.get(MARKER));
  }

  @Test
  void benignWorkloadRefusesAFolderWithoutTheMarker(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "x");
    Result r = run(tmp, BENIGN, "--dir", tmp.toString(), "--workload", "office");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(snapshot(tmp).keySet()).containsExactly("a.txt");
  }

  @Test
  void benchDriverSelfTest(@TempDir Path tmp) throws Exception {
    Result r = run(tmp, BENCH, "--self-test");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("self-test: OK");
  }

  /**
   * The driver end to end against a stand-in watcher that follows the contract: a ready line, then
   * an alert on the first change, and it suspends (SIGSTOP) the simulator processes it finds by
   * its folder on their command line (only those: the folder is this test's temporary one).
   */
  @Test
  void benchDriverRunsAgainstAStandInWatcher(@TempDir Path tmp) throws Exception {
    Path fake = tmp.resolve("fake-watcher");
    try (var in = CorpusTest.class.getResourceAsStream("fake-watcher.sh")) {
      Files.copy(in, fake);
    }
    fake.toFile().setExecutable(true);
    Path work = tmp.resolve("work");
    Result r = run(tmp, BENCH, "--rempart", fake.toString(), "--work", work.toString(), "--reps",
        "1", "--files", "12", "--behaviours", "slow", "--slow-interval-ms", "400",
        "--workloads", "dicom", "--idle-s", "1", "--duration-s", "1");
    assertThat(r.exit()).as(r.out()).isZero();
    JsonNode res = JSON.readTree(work.resolve("results.json").toFile());
    JsonNode slow = res.get("attacks").get("slow").get("runs_detail").get(0);
    assertThat(slow.get("detected").asBoolean()).as(r.out()).isTrue();
    assertThat(slow.get("contained").asBoolean()).as(r.out()).isTrue();
    assertThat(slow.get("altered_at_containment").asInt()).isBetween(1, 3);
    assertThat(slow.get("seconds_to_alert").asDouble()).isBetween(0.0, 5.0);
    assertThat(res.get("benign").get("dicom").get("false_alerts").asInt()).isPositive();
    assertThat(res.get("benign").get("dicom").get("exit_code").asInt()).isZero();
    assertThat(res.get("idle").get("peak_rss_kb").asLong()).isPositive();
    assertThat(r.out()).contains("behaviour", "workload", "false alerts");
    // Everything it started is gone: no simulator left running or stopped.
    assertThat(ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().orElse("")).filter(c -> c.contains(tmp.toString())))
        .isEmpty();
  }
}
