package dev.ferry.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpgradeScriptsTest {
    @Test
    void scriptsGoInVersionOrderNotNameOrder(@TempDir Path dir) throws Exception {
        for (String name : List.of("V10__ten.sql", "V2__two.sql", "V1__one.sql", "README.md")) {
            Files.writeString(dir.resolve(name), "");
        }
        assertEquals(List.of("V1__one.sql", "V2__two.sql", "V10__ten.sql"),
                UpgradeScripts.inOrder(dir).stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void aScriptItCannotOrderIsRefusedNotLeftOut(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V2_1__between.sql"), "");
        assertThrows(IllegalArgumentException.class, () -> UpgradeScripts.inOrder(dir), "alone in its folder");
        Files.writeString(dir.resolve("V1__one.sql"), "");
        assertThrows(IllegalArgumentException.class, () -> UpgradeScripts.inOrder(dir));
    }

    @Test
    void statementsAreSplitAtTheirSemicolonsWithoutComments() {
        String script = """
                -- why the index goes
                DROP INDEX a;
                ALTER TABLE m ADD COLUMN e TIMESTAMPTZ; -- set once
                UPDATE m SET e = u
                  WHERE p IN ('X', 'Y');
                """;
        assertEquals(List.of("DROP INDEX a", "ALTER TABLE m ADD COLUMN e TIMESTAMPTZ", "UPDATE m SET e = u WHERE p IN ('X', 'Y')"),
                UpgradeScripts.statements(script));
    }

    @Test
    void theSchedulersScriptsAllSplit() throws Exception {
        // the benchmark measures any of them; a script it cannot split would fail only when someone runs it
        Path dir = Path.of("..").resolve(SchemaUpgradeBenchmark.SCRIPTS);
        List<Path> scripts = UpgradeScripts.inOrder(dir);
        assertEquals(UpgradeScripts.version(scripts.get(scripts.size() - 1)), scripts.size(), "no version missing");
        for (Path p : scripts) {
            UpgradeScripts.statements(Files.readString(p));
        }
    }

    @Test
    void aDollarQuotedBodyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> UpgradeScripts.statements("DO $$ BEGIN PERFORM 1; END $$;"));
    }
}
