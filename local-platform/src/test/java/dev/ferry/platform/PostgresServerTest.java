package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void postmasterOptsIsReadBackAsTheBinaryAndEachArgument() {
        String opts = "/tmp/embedded-pg/PG-3f56/bin/postgres \"-D\" \"/data/my dir/postgres\" \"-p\" \"34393\" \"-F\" "
                + "\"-c\" \"max_connections=200\" \"-c\" \"listen_addresses=127.0.0.1\"";
        assertThat(PostgresServer.words(opts)).containsExactly("/tmp/embedded-pg/PG-3f56/bin/postgres", "-D", "/data/my dir/postgres",
                "-p", "34393", "-F", "-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1");
    }
}
