package io.isola.task;

import io.isola.core.Network;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import io.isola.net.ProxyOnDemand;
import java.util.List;

/**
 * Cells' networks through one egress proxy for the whole Isola process, started only when a cell first reaches out
 * ({@link ProxyOnDemand}) and closed with the front-end. Front-ends that give no cell a network never make one, so
 * they never load the proxy's classes.
 */
public final class ProxyNetworks implements CellNetworks, AutoCloseable {
    private final ProxyOnDemand proxy;

    public ProxyNetworks(ProxyOnDemand proxy) {
        this.proxy = proxy;
    }

    @Override
    public Network forAccess(NetworkAccess access) {
        return access == NetworkAccess.NONE ? Network.NONE : Network.through(proxy.forLevel(access));
    }

    @Override
    public List<AuditEvent> refusals(String cellId) {
        return proxy.takeRefusals(cellId);
    }

    @Override
    public void close() {
        proxy.close();
    }
}
