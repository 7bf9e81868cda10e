package dev.ferry.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RolesTest {

    @Test
    void adminIncludesOperatorWhichIncludesViewer() {
        assertThat(Roles.withIncluded(Set.of("admin"))).containsExactlyInAnyOrder("admin", "operator", "viewer");
        assertThat(Roles.withIncluded(Set.of("operator"))).containsExactlyInAnyOrder("operator", "viewer");
        assertThat(Roles.withIncluded(Set.of("viewer"))).containsExactly("viewer");
    }

    @Test
    void serviceRolesIncludeNothingElse() {
        assertThat(Roles.withIncluded(Set.of("worker"))).containsExactly("worker");
        assertThat(Roles.withIncluded(Set.of("scheduler", "viewer"))).containsExactlyInAnyOrder("scheduler", "viewer");
        assertThat(Roles.withIncluded(Set.of("offline_access", "uma_authorization"))).doesNotContain("viewer");
    }
}
