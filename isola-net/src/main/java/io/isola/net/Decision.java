package io.isola.net;

import java.net.InetAddress;

/**
 * What the proxy decided about one destination: allowed or blocked, by which rule (the words a person reads in
 * {@code isola net explain} and the audit log), for which address (null when decided on the name alone).
 */
public record Decision(boolean allowed, String rule, InetAddress address) {
    static Decision allow(String rule, InetAddress a) {
        return new Decision(true, rule, a);
    }

    static Decision block(String rule, InetAddress a) {
        return new Decision(false, rule, a);
    }
}
