package io.isola.net;

import io.isola.core.Egress;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.NetworkRules;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A front-end's one {@link EgressProxy}, started only when a cell first connects to its proxy address: a command whose
 * cells never reach out never starts it (nor reads the DNS configuration). It also remembers the last refusals of each
 * cell, so a task can tell its user which rule refused a fetch instead of only the client's exit code.
 */
public final class ProxyOnDemand implements AutoCloseable {
    /** How the proxy is started, given the audit sink it must report to. */
    public interface Starter {
        EgressProxy start(Consumer<AuditEvent> audit) throws IOException;
    }

    private static final int KEPT_PER_CELL = 8, CELLS_REMEMBERED = 1024;

    private final Starter starter;
    private final Consumer<AuditEvent> audit;
    private final Map<String, Deque<AuditEvent>> refusals = new ConcurrentHashMap<>();
    private EgressProxy proxy;
    private boolean closed;

    public ProxyOnDemand(Starter starter, Consumer<AuditEvent> audit) {
        this.starter = starter;
        this.audit = audit;
    }

    /** The proxy as {@link EgressProxy#onThisHost} makes it, with {@code rules}. */
    public static ProxyOnDemand onThisHost(NetworkRules rules, Consumer<AuditEvent> audit) {
        return new ProxyOnDemand(a -> EgressProxy.onThisHost(rules, a), audit);
    }

    /** The egress for cells of {@code level}; the proxy starts with the first connection any of them makes. */
    public Egress forLevel(NetworkAccess level) {
        if (level == NetworkAccess.NONE) {
            throw new IllegalArgumentException("network none has no egress: use Network.NONE");
        }
        return (cellId, connection) -> {
            EgressProxy p;
            try {
                p = proxy();
            } catch (IOException | RuntimeException e) {
                Relay.closeQuietly(connection);
                record(AuditEvent.of(
                        "connection.blocked",
                        cellId,
                        "level",
                        level.word(),
                        "rule",
                        "proxy-unavailable",
                        "reason",
                        "the proxy could not start: " + e.getMessage()));
                return;
            }
            p.forLevel(level).accept(cellId, connection);
        };
    }

    private synchronized EgressProxy proxy() throws IOException {
        if (closed) {
            throw new IOException("Isola is shutting down");
        }
        if (proxy == null) {
            proxy = starter.start(this::record);
        }
        return proxy;
    }

    /** Whether a cell has reached out, so the proxy runs. */
    public synchronized boolean started() {
        return proxy != null;
    }

    private void record(AuditEvent e) {
        if (e.type().equals("connection.blocked") && e.cell() != null) {
            if (refusals.size() > CELLS_REMEMBERED) {
                refusals.clear(); // a front-end that runs many cells only needs the recent ones
            }
            Deque<AuditEvent> mine = refusals.computeIfAbsent(e.cell(), c -> new ArrayDeque<>());
            synchronized (mine) {
                if (mine.size() == KEPT_PER_CELL) {
                    mine.removeFirst();
                }
                mine.addLast(e);
            }
        }
        audit.accept(e);
    }

    /** The refusals the proxy audited for {@code cellId} (the last few, oldest first), forgotten once taken. */
    public List<AuditEvent> takeRefusals(String cellId) {
        Deque<AuditEvent> mine = refusals.remove(cellId);
        if (mine == null) {
            return List.of();
        }
        synchronized (mine) {
            return List.copyOf(mine);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (proxy != null) {
            proxy.close();
        }
    }
}
