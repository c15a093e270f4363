package io.isola.net;

import io.isola.core.policy.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/** Host facts given by a test: which addresses are the host's, which interface routes, whether it is at the office. */
record FixedFacts(Set<InetAddress> own, String iface, boolean trustedNetwork) implements HostFacts {
    static final FixedFacts NONE = new FixedFacts(Set.of(), "eth0", false);

    @Override
    public boolean isOwnAddress(InetAddress address) {
        return own.contains(address);
    }

    @Override
    public String routeInterface(InetAddress address) {
        return iface;
    }

    @Override
    public boolean onTrustedNetwork(List<Cidr> trusted) {
        return trustedNetwork && !trusted.isEmpty();
    }
}
