package io.isola.task;

import io.isola.core.Network;
import io.isola.core.audit.AuditEvent;
import io.isola.core.policy.NetworkAccess;
import java.util.List;

/**
 * The network a task's cell gets for its level's access word ({@code policy.network().access(level)}): made by the
 * front-end, which owns the host's egress proxy. Tasks never see the proxy, only the {@link Network} to put in a
 * CellSpec and, after a failed fetch, what the proxy refused for that cell.
 */
public interface CellNetworks {
    /** A front-end that gives cells no network at all: every level gets loopback only. */
    CellNetworks NONE = new CellNetworks() {
        @Override
        public Network forAccess(NetworkAccess access) {
            return Network.NONE;
        }

        @Override
        public List<AuditEvent> refusals(String cellId) {
            return List.of();
        }
    };

    /** {@link Network#NONE} for {@code none}, else the egress of that access. */
    Network forAccess(NetworkAccess access);

    /** The {@code connection.blocked} events the egress recorded for {@code cellId}, oldest first. */
    List<AuditEvent> refusals(String cellId);
}
