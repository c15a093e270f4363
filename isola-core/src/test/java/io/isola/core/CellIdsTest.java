package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CellIdsTest {
    @Test
    void idsAreShortSafeNamesThatDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = CellIds.next();
            assertThat(id).matches("c[0-9a-f]{12}");
            assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
        }
    }
}
