package io.isola.net;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/** Turns a host name into its addresses, for the proxy to check each of them. */
public interface Resolver {
    /** The name's addresses (IPv4 first); throws {@link java.net.UnknownHostException} when it has none. */
    List<InetAddress> resolve(String name) throws IOException;
}
