package io.isola.net;

import io.isola.core.policy.Cidr;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's facts as Linux has them, read without shelling out and cached for {@link #TTL_NANOS}: its own addresses
 * from the interfaces, the interface toward an address from the kernel's route choice (a connected UDP socket sends
 * nothing, yet the kernel picks its source address and so its interface), and the default gateway from
 * {@code /proc/net/route}. Stale facts are refreshed by the next caller, so a decision reads only memory.
 */
public final class LinuxHostFacts implements HostFacts {
    static final long TTL_NANOS = 2_000_000_000L;

    private record Snapshot(Set<InetAddress> own, Map<String, List<InetAddress>> byInterface, long at) {}

    private record Route(String iface, long at) {}

    private volatile Snapshot snapshot;
    private final Map<InetAddress, Route> routes = new ConcurrentHashMap<>();
    private final Path procRoute;

    public LinuxHostFacts() {
        this(Path.of("/proc/net/route"));
    }

    LinuxHostFacts(Path procRoute) {
        this.procRoute = procRoute;
    }

    @Override
    public boolean isOwnAddress(InetAddress address) {
        return snapshot().own().contains(address);
    }

    @Override
    public String routeInterface(InetAddress address) {
        long now = System.nanoTime();
        Route r = routes.get(address);
        if (r == null || now - r.at() > TTL_NANOS) {
            if (routes.size() > 10_000) {
                routes.clear();
            }
            r = new Route(lookUpRoute(address), now);
            routes.put(address, r);
        }
        return r.iface();
    }

    private static String lookUpRoute(InetAddress address) {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.connect(new InetSocketAddress(address, 9)); // UDP connect: a route look-up, no packet
            InetAddress local = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface ni = NetworkInterface.getByInetAddress(local);
            return ni == null ? null : ni.getName();
        } catch (IOException e) {
            return null; // no route: the connection will fail anyway
        }
    }

    @Override
    public boolean onTrustedNetwork(List<Cidr> trusted) {
        if (trusted.isEmpty()) {
            return false;
        }
        String[] gw;
        try {
            gw = defaultGateway(Files.readString(procRoute));
        } catch (IOException e) {
            return false;
        }
        if (gw == null) {
            return false;
        }
        InetAddress gateway = address(gw[1]);
        List<InetAddress> local = snapshot().byInterface().getOrDefault(gw[0], List.of());
        for (Cidr c : trusted) {
            if (c.contains(gateway) && local.stream().anyMatch(c::contains)) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 default route of a {@code /proc/net/route} text: {interface, gateway as dotted quad}, or null. */
    static String[] defaultGateway(String procNetRoute) {
        for (String line : procNetRoute.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue;
            }
            try {
                int flags = Integer.parseInt(f[3], 16);
                if ((flags & 0x3) != 0x3) { // RTF_UP | RTF_GATEWAY
                    continue;
                }
                long g = Long.parseLong(f[2], 16); // little-endian in the file
                return new String[] {
                    f[0], (g & 0xff) + "." + (g >> 8 & 0xff) + "." + (g >> 16 & 0xff) + "." + (g >> 24 & 0xff)
                };
            } catch (NumberFormatException e) {
                continue;
            }
        }
        return null;
    }

    private static InetAddress address(String quad) {
        try {
            return Inet4Address.ofLiteral(quad);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e);
        }
    }

    private Snapshot snapshot() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.at() > TTL_NANOS) {
            s = read(now);
            snapshot = s;
        }
        return s;
    }

    private static Snapshot read(long now) {
        Set<InetAddress> own = new HashSet<>();
        Map<String, List<InetAddress>> byInterface = new ConcurrentHashMap<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                List<InetAddress> addrs =
                        ni.inetAddresses().map(LinuxHostFacts::withoutScope).toList();
                own.addAll(addrs);
                byInterface.put(ni.getName(), addrs);
            }
        } catch (SocketException e) {
            // no interfaces readable: only the table's classes protect; loopback is NEVER there anyway
        }
        return new Snapshot(Set.copyOf(own), Map.copyOf(byInterface), now);
    }

    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress()); // fe80::1%eth0 equals fe80::1 from DNS
        } catch (UnknownHostException e) {
            return a;
        }
    }
}
