package io.isola.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isola.core.Egress;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.NetworkRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The front-end's proxy starts with the first connection, never before, and fails closed when it cannot start. */
class ProxyOnDemandTest {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    /** A connection that asks nothing: end of stream at once. */
    static final class Quiet implements Egress.Connection {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return !closed.get();
        }

        @Override
        public void close() {
            closed.set(true);
        }

        @Override
        public void shutdownOutput() {}
    }

    @Test
    void theProxyStartsWithTheFirstConnectionOnly() throws Exception {
        AtomicInteger started = new AtomicInteger();
        try (ProxyOnDemand p = new ProxyOnDemand(
                a -> {
                    started.incrementAndGet();
                    return new EgressProxy(
                            NetworkRules.DEFAULT, name -> List.of(), FixedFacts.NONE, a, EgressProxy.Settings.DEFAULT);
                },
                events::add)) {
            Egress internet = p.forLevel(NetworkAccess.INTERNET);
            p.forLevel(NetworkAccess.TRUSTED);
            assertThat(p.started()).isFalse();
            assertThat(started).hasValue(0);
            internet.accept("c1", new Quiet());
            internet.accept("c2", new Quiet());
            assertThat(p.started()).isTrue();
            assertThat(started).hasValue(1);
        }
        assertThatThrownBy(() -> new ProxyOnDemand(a -> null, e -> {}).forLevel(NetworkAccess.NONE))
                .hasMessageContaining("Network.NONE");
    }

    @Test
    void aProxyThatCannotStartClosesTheConnectionAndSaysWhyForThatCell() {
        try (ProxyOnDemand p = new ProxyOnDemand(
                a -> {
                    throw new IOException("no DNS server: /etc/resolv.conf names none");
                },
                events::add)) {
            Quiet c = new Quiet();
            p.forLevel(NetworkAccess.INTERNET).accept("c7", c);
            assertThat(c.closed).isTrue();
            List<AuditEvent> refused = p.takeRefusals("c7");
            assertThat(refused).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo("connection.blocked");
                assertThat(e.fields())
                        .containsEntry("rule", "proxy-unavailable")
                        .containsEntry("level", "internet");
                assertThat((String) e.fields().get("reason")).contains("no DNS server");
            });
            assertThat(events).hasSize(1); // and in the audit log
            assertThat(p.takeRefusals("c7")).isEmpty(); // taken once
        }
    }
}
