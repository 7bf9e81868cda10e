package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {
    private static final List<Output.Column> COLUMNS = List.of(new Output.Column("ID", n -> Output.text(n, "id")),
            new Output.Column("NAME", n -> Output.text(n, "name")), new Output.Column("STATE", n -> Output.text(n, "state")));

    @Test
    void aTableAlignsItsColumnsOnTheWidestCell() throws Exception {
        JsonNode rows = Api.JSON.readTree("[{\"id\": 1, \"name\": \"hv-01\", \"state\": \"UP\"},"
                + " {\"id\": 12, \"name\": \"a-much-longer-host\", \"state\": null}]");
        assertThat(Output.render(rows, Output.Format.table, COLUMNS)).isEqualTo(
                "ID  NAME                STATE\n"
                + "1   hv-01               UP\n"
                + "12  a-much-longer-host\n");
    }

    @Test
    void jsonAndYamlAreTheApisOwnRecordsUnchanged() throws Exception {
        JsonNode rows = Api.JSON.readTree("[{\"id\": 1, \"name\": \"hv-01\", \"extra\": {\"a\": [1, 2]}}]");
        assertThat(Api.JSON.readTree(Output.render(rows, Output.Format.json, COLUMNS))).isEqualTo(rows);
        assertThat(Config.YAML.readTree(Output.render(rows, Output.Format.yaml, COLUMNS))).isEqualTo(rows);
    }

    @Test
    void watchPrintsOnlyRowsThatAreNewOrChanged() throws Exception {
        Watcher w = new Watcher(Api.JSON.readTree("[{\"id\": 1, \"phase\": \"RUNNING\"}, {\"id\": 2, \"phase\": \"QUEUED\"}]"));
        JsonNode changes = w.changes(Api.JSON.readTree(
                "[{\"id\": 1, \"phase\": \"SUCCEEDED\"}, {\"id\": 2, \"phase\": \"QUEUED\"}, {\"id\": 3, \"phase\": \"QUEUED\"}]"));
        assertThat(changes.findValuesAsText("id")).containsExactly("1", "3");
        assertThat(w.changes(Api.JSON.readTree("[{\"id\": 1, \"phase\": \"SUCCEEDED\"}]"))).isEmpty();
    }
}
