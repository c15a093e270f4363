package io.isola.net;

import io.isola.core.Egress;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import io.isola.core.policy.NetworkRules;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The host's one enforcement point for what leaves cells: an HTTP proxy (CONNECT for TLS, absolute-form requests
 * for plain HTTP) that resolves names itself, decides on the name and every address ({@link Decider}) and connects
 * only to an address it checked. Each cell's level is bound into the {@link Egress} its task is given
 * ({@link #forLevel}), so the engine that delivers connections never learns it. Every decision is an audit event.
 * A cell can hold at most {@link Settings#perCell} connections at once, so one cell's flood leaves others served.
 */
public final class EgressProxy implements AutoCloseable {
    /**
     * @param perCell connections one cell may hold open at once
     * @param total connections all cells together may hold
     * @param headTimeout how long a cell has to send its request head (and its TLS ClientHello)
     * @param connectTimeout how long a server has to accept the connection
     */
    public record Settings(int perCell, int total, Duration headTimeout, Duration connectTimeout) {
        public static final Settings DEFAULT = new Settings(256, 8192, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    final Decider decider;
    final Resolver resolver;
    final Consumer<AuditEvent> audit;
    final Settings settings;
    final Deadlines deadlines = new Deadlines();
    private final Map<String, AtomicInteger> perCell = new ConcurrentHashMap<>();
    /** Per cell: when its last cap refusal was audited, and how many refusals since. */
    private final Map<String, long[]> capNotices = new ConcurrentHashMap<>();

    private final AtomicInteger total = new AtomicInteger();

    public EgressProxy(
            NetworkRules rules, Resolver resolver, HostFacts facts, Consumer<AuditEvent> audit, Settings settings) {
        this.decider = new Decider(rules, facts);
        this.resolver = resolver;
        this.audit = audit;
        this.settings = settings;
    }

    /**
     * The proxy as a front-end starts it on this host: names resolved by the servers of {@code ISOLA_DNS} or else
     * /etc/resolv.conf, the host's facts from Linux, the default limits. One proxy serves every cell of a process.
     */
    public static EgressProxy onThisHost(NetworkRules rules, Consumer<AuditEvent> audit) throws java.io.IOException {
        return new EgressProxy(
                rules, DnsResolver.fromEnvironment(System.getenv()), new LinuxHostFacts(), audit, Settings.DEFAULT);
    }

    /** The egress for cells of one network level: what a task puts in its CellSpec as {@code Network.through}. */
    public Egress forLevel(NetworkAccess level) {
        return (cellId, connection) -> accept(level, cellId, connection);
    }

    private void accept(NetworkAccess level, String cell, Egress.Connection connection) {
        AtomicInteger mine = perCell.computeIfAbsent(cell, c -> new AtomicInteger());
        boolean cellCap = !tryTake(mine, settings.perCell());
        if (cellCap || !tryTake(total, settings.total())) {
            if (!cellCap) {
                mine.decrementAndGet();
            }
            Relay.closeQuietly(connection);
            long refused = capRefusals(cell);
            if (refused > 0) {
                audit.accept(AuditEvent.of(
                        "connection.blocked",
                        cell,
                        "level",
                        level.word(),
                        "rule",
                        cellCap
                                ? "connection cap: " + settings.perCell() + " open connections per cell"
                                : "connection cap: " + settings.total() + " open connections in all",
                        "refused",
                        refused));
            }
            return;
        }
        Thread.ofVirtual().name("egress-" + cell).start(() -> {
            try {
                new ProxySession(this, level, cell, connection).run();
            } finally {
                Relay.closeQuietly(connection);
                total.decrementAndGet();
                if (mine.decrementAndGet() == 0) {
                    perCell.remove(cell, mine);
                }
            }
        });
    }

    /**
     * How many cap refusals of {@code cell} to audit now: all since the last event, at most once a second, so a cell
     * that floods the proxy cannot flood the audit log too (and rotate older events out of it); 0 for none now.
     */
    private long capRefusals(String cell) {
        long now = System.nanoTime();
        long[] n = capNotices.computeIfAbsent(cell, c -> new long[] {now - 2_000_000_000L, 0});
        synchronized (n) {
            n[1]++;
            if (now - n[0] < 1_000_000_000L) {
                return 0;
            }
            n[0] = now;
            long refused = n[1];
            n[1] = 0;
            if (capNotices.size() > 10_000) {
                capNotices.clear();
            }
            return refused;
        }
    }

    /** Takes one of {@code cap} slots, or none when all are taken: the count never goes past the cap. */
    private static boolean tryTake(AtomicInteger count, int cap) {
        for (int n = count.get(); n < cap; n = count.get()) {
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Connections cell {@code cell} holds now. */
    public int open(String cell) {
        AtomicInteger n = perCell.get(cell);
        return n == null ? 0 : n.get();
    }

    public Decider decider() {
        return decider;
    }

    @Override
    public void close() {
        deadlines.close();
    }
}
