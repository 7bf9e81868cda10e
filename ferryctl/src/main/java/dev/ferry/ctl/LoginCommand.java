package dev.ferry.ctl;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ferryctl login: signs in at the identity provider (password grant), keeps the tokens in the config file. */
@Command(name = "login", description = "Sign in at Ferry's identity provider; the token is kept (and refreshed) in the config file.")
final class LoginCommand extends Subcommand implements Callable<Integer> {
    @Option(names = {"-u", "--user"}, required = true, description = "the user name")
    String user;

    @Option(names = "--password-stdin", description = "read the password from standard input (for scripts)")
    boolean passwordStdin;

    @Option(names = "--issuer", paramLabel = "URL", description = "the OpenID provider's issuer URL (kept in the config file)")
    String issuer;

    @Option(names = "--client-id", description = "the public client ferryctl signs in as (default: ferry-cli)")
    String clientId;

    @Override
    public Integer call() throws Exception {
        Config config = root.config();
        if (issuer != null) {
            config.issuer = issuer;
        }
        if (clientId != null) {
            config.clientId = clientId;
        }
        String password;
        if (passwordStdin) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else if (System.console() != null) {
            char[] typed = System.console().readPassword("Password for %s: ", user);
            password = typed == null ? null : new String(typed);
        } else {
            throw new IllegalArgumentException("no terminal to ask for the password: use --password-stdin");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("no password given");
        }
        root.session().login(user, password);
        spec.commandLine().getOut().printf("signed in as %s at %s%s; kept in %s%n", user, config.issuer,
                config.expiresAt == null ? "" : " (token valid until " + Instant.ofEpochSecond(config.expiresAt)
                        + (config.refreshToken != null ? ", then refreshed" : "") + ")", root.configPath());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
