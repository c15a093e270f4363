package io.isola.net;

import io.isola.core.policy.Cidr;
import java.net.InetAddress;
import java.util.List;

/** What the proxy must know about the host it runs on to decide: its own addresses and its routes. */
public interface HostFacts {
    /** Whether {@code address} is one of this host's own (any interface, up or not). */
    boolean isOwnAddress(InetAddress address);

    /** The interface the host would send to {@code address} through, or null when there is no route. */
    String routeInterface(InetAddress address);

    /**
     * Whether the host is on one of {@code trusted}: its default gateway and its own address on the gateway's
     * interface both lie inside one of them.
     */
    boolean onTrustedNetwork(List<Cidr> trusted);
}
