package eu.rempart.agent.config;

import eu.rempart.agent.config.AgentConfig.JobType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configuration file: a full example reads as meant, mistakes are named with their place. */
class AgentConfigTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void passwordFile() throws Exception {
        Files.writeString(tmp.resolve("vault.pass"), "secret\n");
    }

    AgentConfig load(String yaml) throws Exception {
        Path f = tmp.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return AgentConfig.load(f, "default-host");
    }

    @Test
    void aFullConfiguration() throws Exception {
        AgentConfig c = load("""
                host: PC-ACCUEIL
                state_dir: state
                repositories:
                  local: {url: /srv/vault, password_file: vault.pass}
                  offsite: {url: "rest:https://vault.example/cabinet/", password_file: vault.pass}
                jobs:
                  - name: cabinet
                    type: backup
                    schedule: "*/15 8-19 * * 1-6"
                    repository: local
                    paths: [/data/cabinet]
                    exclude: ["*.tmp"]
                    iexclude: ["thumbs.db"]
                    exclude_larger_than: 4G
                    one_file_system: true
                    copy_to: [offsite]
                  - {name: retention, type: forget, schedule: "@daily", repositories: [local], prune: true}
                  - {name: weekly-check, type: check, schedule: "0 4 * * 0", repositories: [local, offsite], read_data_subset: 10%}
                  - {name: restore-test, type: restore-test, schedule: "0 5 * * 0", repositories: [offsite], files: 5}
                notifications:
                  missing_backup_after: 26h
                  email: {host: smtp.example, security: starttls, from: a@b.example, to: it@provider.example}
                  webhook: {url: "https://hooks.example/x", headers: {Authorization: "Bearer s3cr3t"}}
                """);
        assertThat(c.host()).isEqualTo("PC-ACCUEIL");
        assertThat(c.stateDir()).isEqualTo(tmp.resolve("state"));
        assertThat(c.jobs()).extracting(AgentConfig.JobConfig::type)
                .containsExactly(JobType.BACKUP, JobType.FORGET, JobType.CHECK, JobType.RESTORE_TEST);
        AgentConfig.JobConfig backup = c.jobs().get(0);
        assertThat(backup.copyTo()).containsExactly("offsite");
        assertThat(backup.excludes()).isEqualTo(new AgentConfig.BackupExcludes(List.of("*.tmp"), List.of("thumbs.db"),
                4L << 30, true));
        assertThat(c.jobs().get(1).excludes()).isEqualTo(new AgentConfig.BackupExcludes(List.of(), List.of(), 0, false));
        // quarter past eight on a Saturday, then 8:30
        ZonedDateTime sat = ZonedDateTime.of(2026, 11, 21, 8, 15, 0, 0, ZoneId.of("Europe/Paris"));
        assertThat(backup.schedule().next(sat)).contains(sat.plusMinutes(15));
        // the retention job without keep: the default policy, with its keep-within floor
        assertThat(c.jobs().get(1).keep()).isEqualTo(AgentConfig.DEFAULT_KEEP);
        assertThat(c.jobs().get(1).keep().keepWithin().days()).isEqualTo(30);
        assertThat(c.jobs().get(2).readDataSubset()).isEqualTo("10%");
        assertThat(c.jobs().get(3).files()).isEqualTo(5);
        assertThat(c.notifications().missingBackupAfter()).isEqualTo(Duration.ofHours(26));
        assertThat(c.notifications().email().port()).isEqualTo(587);
        assertThat(c.notifications().webhook().toString()).doesNotContain("s3cr3t");
    }

    @Test
    void mistakesAreNamedWithTheirPlace() {
        String repo = "repositories:\n  local: {url: /srv/vault, password_file: vault.pass}\n";
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"61 * * * *\", repository: local, paths: [/x]}\n"))
                .hasMessageContaining("job \"a\"").hasMessageContaining("invalid cron expression \"61 * * * *\"");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: nas, paths: [/x]}\n"))
                .hasMessageContaining("repository \"nas\" is not among repositories (local)");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: local, path: [/x]}\n"))
                .hasMessageContaining("path: unknown setting");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: forget, schedule: \"@daily\", repositories: [local], keep: {daily: -1}}\n"))
                .hasMessageContaining("keep.daily").hasMessageContaining("negative");
        assertThatThrownBy(() -> load("repositories:\n  local: {url: /srv/vault, password_file: nope.pass}\njobs: []\n"))
                .hasMessageContaining("nope.pass cannot be read");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: snapshot, schedule: \"@daily\"}\n"))
                .hasMessageContaining("type \"snapshot\" is not backup, forget, check or restore-test");
        assertThatThrownBy(() -> load("jobs: [\n")).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: local, paths: [/x], exclude_larger_than: lots}\n"))
                .hasMessageContaining("job \"a\"").hasMessageContaining("exclude_larger_than \"lots\" is not a size");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: local, paths: [/x], one_file_system: 3}\n"))
                .hasMessageContaining("one_file_system must be true or false");
        assertThatThrownBy(() -> load(repo + "jobs: []\n")).hasMessageEndingWith(
                "agent.yaml: jobs: at least one job is needed (a list of {name, type, schedule, …})");
        assertThatThrownBy(() -> load("repositories: {local: /srv/vault}\njobs: []\n")).hasMessageEndingWith(
                "agent.yaml: repositories.local: expected {url: …, password_file: …}");
    }

    @Test
    void mistakesAreSaidInFrenchByDefault() {
        String repo = "repositories:\n  local: {url: /srv/vault, password_file: vault.pass}\n";
        Path file = tmp.resolve("agent.yaml");
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: backup, schedule: \"@daily\", repository: nas, paths: [/x]}\n"))
                .isInstanceOfSatisfying(AgentConfig.ConfigException.class, e -> {
                    assertThat(e.describe(Locale.FRENCH)).isEqualTo(file + ": job \"a\": le dépôt « nas » n’est pas parmi "
                            + "les dépôts déclarés (local)");
                    assertThat(e.describe(null)).isEqualTo(e.describe(Locale.FRENCH));
                    assertThat(e.describe(Locale.ENGLISH)).isEqualTo(e.getMessage());
                });
        assertThatThrownBy(() -> load(repo + "jobs:\n  - {name: a, type: check, schedule: \"61 * * * *\", repositories: [local]}\n"))
                .isInstanceOfSatisfying(AgentConfig.ConfigException.class, e -> assertThat(e.describe(Locale.FRENCH))
                        .startsWith(file + ": job \"a\": planification « 61 * * * * » incorrecte : il faut une expression "
                                + "cron à cinq champs").doesNotContain("invalid cron expression"));
        assertThatThrownBy(() -> load(repo + "jobs: []\n")).isInstanceOfSatisfying(AgentConfig.ConfigException.class,
                e -> assertThat(e.describe(Locale.FRENCH)).isEqualTo(file + ": jobs: il faut au moins une tâche "
                        + "(une liste de {name, type, schedule, …})"));
    }

    @Test
    void bothLanguagesHaveEveryMistakeWithTheSameArguments() throws Exception {
        Properties fr = new Properties();
        Properties en = new Properties();
        // the agent's texts (eu.rempart.agent.notify.Texts): its configuration's mistakes are the config.* ones
        try (var a = getClass().getResourceAsStream("/eu/rempart/agent/notify/messages.properties");
                var b = getClass().getResourceAsStream("/eu/rempart/agent/notify/messages_en.properties")) {
            fr.load(a);
            en.load(b);
        }
        fr.keySet().removeIf(k -> !k.toString().startsWith("config."));
        en.keySet().removeIf(k -> !k.toString().startsWith("config."));
        assertThat(fr.stringPropertyNames()).isEqualTo(en.stringPropertyNames());
        for (String k : fr.stringPropertyNames()) {
            assertThat(new java.text.MessageFormat(fr.getProperty(k)).getFormats().length).as(k)
                    .isEqualTo(new java.text.MessageFormat(en.getProperty(k)).getFormats().length);
        }
        // every key the code uses is there
        String code = Files.readString(Path.of("src/main/java/eu/rempart/agent/config/AgentConfig.java"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bad\\([^;]*?, \"(\\w+)\"").matcher(code);
        int found = 0;
        while (m.find()) {
            assertThat(fr.stringPropertyNames()).contains("config." + m.group(1));
            found++;
        }
        assertThat(found).isGreaterThan(25);
    }
}
