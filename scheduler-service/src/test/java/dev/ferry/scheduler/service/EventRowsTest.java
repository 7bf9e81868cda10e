package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventRowsTest {
    record Row(String name, Long size) {
    }

    private static final EventRows.Table<Row> TABLE = new EventRows.Table<>("t", List.of(
            new EventRows.Column<>("name", "text", Row::name), new EventRows.Column<>("size", "bigint", Row::size)));

    @Test
    void oneArrayPerColumnInTheRowsOrderAndANullStaysNull() {
        List<String[]> arrays = TABLE.arrays(List.of(new Row("a", 1L), new Row(null, null), new Row("c", 3L)));

        assertThat(arrays).hasSize(2);
        assertThat(arrays.get(0)).containsExactly("a", null, "c");
        assertThat(arrays.get(1)).containsExactly("1", null, "3");
    }

    @Test
    void theRowsAreInsertedInTheOrderOfTheArrays() {
        assertThat(TABLE.sql()).isEqualTo("INSERT INTO t (name, size) SELECT name, size FROM unnest(CAST(CAST(?1 AS text[]) AS text[]), "
                + "CAST(CAST(?2 AS text[]) AS bigint[])) WITH ORDINALITY AS r(name, size, position) ORDER BY position");
    }
}
