package io.isola.core;

/**
 * What network a cell may reach. Every cell has a network of its own (a namespace, or a VM) with loopback only. With
 * an {@link Egress}, its engine also listens on the cell's loopback at {@link #PROXY_PORT} and hands every connection
 * a task makes there to the egress on the host, which decides where, if anywhere, it goes. There is no other way out:
 * a program that ignores the proxy settings gets no network at all, never more.
 *
 * @param egress where the cell's proxy connections go; null for none
 */
public record Network(Egress egress) {
    /** Loopback only: nothing leaves the cell. */
    public static final Network NONE = new Network(null);
    /** The TCP port of the proxy on a cell's loopback (127.0.0.1 and ::1), the same in every engine. */
    public static final int PROXY_PORT = 3128;

    public static Network through(Egress egress) {
        if (egress == null) {
            throw new IllegalArgumentException("no egress: use Network.NONE");
        }
        return new Network(egress);
    }

    /** How the audit log names it: {@code loopback_only}, or {@code proxy} when connections go to the egress. */
    public String word() {
        return reachesOut() ? "proxy" : "loopback_only";
    }

    /** Whether the cell has a proxy address at all. */
    public boolean reachesOut() {
        return egress != null;
    }
}
