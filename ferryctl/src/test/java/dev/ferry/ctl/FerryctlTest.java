package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: exit statuses a script can rely on, the config file, completion. No service needed. */
class FerryctlTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return new Ferryctl(env, false).execute(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void aWrongCommandLineIsUsageWithItsReason() {
        assertThat(run(Map.of(), "migrate")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing required parameter: 'VM'");
        assertThat(run(Map.of(), "migrate", "web-1", "--max-downtime", "fast")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("300ms, 45s, 10m or 1h30m");
    }

    @Test
    void withoutATokenACallIsNotSignedIn(@TempDir Path home) {
        Map<String, String> env = Map.of("FERRYCTL_CONFIG", home.resolve("c.yaml").toString());
        assertThat(run(env, "hosts")).isEqualTo(ExitCodes.NOT_SIGNED_IN);
        assertThat(err.toString()).contains("not signed in: ferryctl login");
    }

    @Test
    void aServiceThatDoesNotAnswerIsUnavailable(@TempDir Path home) {
        Map<String, String> env = Map.of("FERRYCTL_CONFIG", home.resolve("c.yaml").toString(), "FERRY_TOKEN", "t",
                "FERRY_INVENTORY_URL", "http://127.0.0.1:1");
        assertThat(run(env, "hosts")).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(err.toString()).contains("GET http://127.0.0.1:1/hosts", "no answer");
    }

    @Test
    void settingsAreKeptInAnOwnerOnlyFileAndShownWithoutTokens(@TempDir Path home) throws Exception {
        Path file = home.resolve("ferry/ferryctl.yaml");
        Map<String, String> env = Map.of("FERRYCTL_CONFIG", file.toString());
        assertThat(run(env, "config", "set", "scheduler", "https://ferry.example.com:8443")).isZero();
        Config c = Config.load(file);
        c.token = "secret-token";
        c.save(file);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(run(env, "config", "view")).isZero();
        assertThat(out.toString()).contains("scheduler: \"https://ferry.example.com:8443\"", "token: \"(set)\"")
                .doesNotContain("secret-token");
        assertThat(run(env, "config", "set", "colour", "blue")).isEqualTo(ExitCodes.REFUSED);
    }

    @Test
    void printsABashCompletionScriptForEveryCommand() {
        assertThat(run(Map.of(), "completion")).isZero();
        assertThat(out.toString()).contains("complete -F _complete_ferryctl", "migrate", "force-complete", "evacuate");
    }
}
