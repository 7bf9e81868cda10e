package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportSectionsTest {
    static final String DOC = "# Title\n\nIntro.\n\n## Dispatch\n\nold dispatch\n\n## Ingest\n\nold ingest\n\n## Later\n\nkept\n";

    @Test
    void aSectionInTheMiddleIsReplacedAndTheOthersKept() {
        String out = ReportSections.replace(DOC, "## Ingest", "## Ingest (run 2)\n\nnew ingest\n");
        assertThat(out).isEqualTo("# Title\n\nIntro.\n\n## Dispatch\n\nold dispatch\n\n## Ingest (run 2)\n\nnew ingest\n\n## Later\n\nkept\n");
    }

    @Test
    void theLastSectionIsReplacedToTheEnd() {
        String out = ReportSections.replace(DOC, "## Later", "## Later\n\nnew\n");
        assertThat(out).endsWith("old ingest\n\n## Later\n\nnew\n").doesNotContain("kept");
    }

    @Test
    void aMissingSectionIsAppended() {
        assertThat(ReportSections.replace("# Title\n\nIntro.\n", "## Ingest", "## Ingest\n\nfirst\n"))
                .isEqualTo("# Title\n\nIntro.\n\n## Ingest\n\nfirst\n");
        assertThat(ReportSections.replace("", "## Ingest", "## Ingest\n\nfirst\n")).isEqualTo("## Ingest\n\nfirst\n");
    }

    @Test
    void aSectionIsReadToTheNextHeading() {
        assertThat(ReportSections.section(DOC, "## Ingest")).isEqualTo("## Ingest\n\nold ingest\n\n");
        assertThat(ReportSections.section(DOC, "## Nothing")).isEmpty();
    }
}
