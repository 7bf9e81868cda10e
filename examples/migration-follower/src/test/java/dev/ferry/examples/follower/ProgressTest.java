package dev.ferry.examples.follower;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The follower's reading of records it was not written for: newer types, newer fields, a failure's reason. */
class ProgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String M = "6f1c2a9e-4b7d-4e2a-9a51-0c3f5d8e7b21";

    @Test
    void anEventTypeOrFieldNewerThanThisCodeIsIgnored() throws Exception {
        Progress p = new Progress();
        assertThat(p.line(json("{\"eventId\": \"e1\", \"migrationId\": \"" + M + "\", \"attempt\": 1, \"type\": \"POST_COPY_STARTED\"}"))).isEmpty();
        assertThat(p.line(json("{\"eventId\": \"e2\", \"migrationId\": \"" + M + "\", \"attempt\": 1, \"type\": \"MIGRATION_STARTED\", "
                + "\"workerId\": \"w\", \"vmId\": 1, \"sourceHostId\": 2, \"targetHostId\": 3, \"region\": \"eu\"}")))
                .contains("6f1c2a9e attempt 1: started by w, VM 1 from host 2 to host 3");
    }

    @Test
    void theWritingMeasuredBeforeRoundOneIsShownWindowByWindow() throws Exception {
        Progress p = new Progress();
        assertThat(p.line(json("{\"eventId\": \"e4\", \"migrationId\": \"" + M + "\", \"attempt\": 1, \"type\": "
                + "\"DIRTY_RATE_MEASURED\", \"workerId\": \"w\", \"measurement\": {\"windows\": [{\"millis\": 250, "
                + "\"pages\": 3904}, {\"millis\": 1000, \"pages\": 7680}], \"method\": \"calc-dirty-rate page-sampling\"}}")))
                .contains("6f1c2a9e attempt 1: before round 1 the guest wrote 3,904 distinct pages in 250 ms, 7,680 in 1000 ms "
                        + "(calc-dirty-rate page-sampling)");
    }

    @Test
    void aFailureDecidedByTheSchedulerSaysWhy() throws Exception {
        Progress p = new Progress();
        assertThat(p.line(json("{\"eventId\": \"e3\", \"migrationId\": \"" + M + "\", \"attempt\": 2, \"type\": \"MIGRATION_FAILED\", "
                + "\"workerId\": \"scheduler\", \"outcome\": {\"rounds\": 7, \"totalBytesSent\": 3221225472, \"downtimeMillis\": 0, "
                + "\"totalTimeMillis\": 600000, \"failureReason\": \"deadline reached before convergence\"}}")))
                .contains("6f1c2a9e: FAILED (the scheduler's decision): 7 rounds, 3.0 GiB sent, downtime 0 ms, total 600.0 s; "
                        + "deadline reached before convergence");
        assertThat(p.decision()).contains(new Progress.Decision(M, "FAILED"));
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
