package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Each change the scheduler suggests is shown as the option that makes it, so that it can be pasted. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "maxDowntimeMillis      | 460   | --max-downtime 460ms",
            "targetHostId           | 9     | --to 9",
            "throttleCeilingPercent | 35    | --throttle-ceiling 35",
            "allowPostCopy          | true  | --allow-post-copy",
            "policy                 | \"ferry\" | --policy ferry"})
    void aSuggestionReadsAsTheOptionThatMakesIt(String field, String value, String option) throws Exception {
        var s = JSON.readTree("{\"field\": \"" + field + "\", \"value\": " + value + ", \"change\": \"in words\", "
                + "\"forecast\": {\"rounds\": 6, \"totalTimeMillis\": 41250, \"downtimeMillis\": 210}}");

        assertThat(MigrateCommand.suggestion(s)).isEqualTo(option + ": in words (forecast: 6 rounds, 41.3 s, downtime 210 ms)");
    }
}
