package io.isola.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attacks through socket families that the cell's network namespace does not cover: vsock shares its port space with
 * the host (and the host's hypervisor), packet and key sockets reach the host's devices and keys, and the kernel
 * loads the module of almost any other family on first use. Each is run from inside a real cell with perl's raw
 * {@code syscall}; the cell prints the errno (1 = EPERM) or "ok".
 */
class SocketFamilyAttackTest extends WithEngine {
    /** x86-64 syscall numbers. */
    private static final int SOCKET = 41, SOCKETPAIR = 53;

    private static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_PACKET = 10;

    /** name, domain, type, protocol: every one must be refused with EPERM. */
    private static final List<String> REFUSED = List.of(
            "vsock 40 1 0",
            "packet 17 3 0",
            "bluetooth 31 3 0",
            "alg 38 5 0",
            "key 15 3 2",
            "appletalk 5 2 0",
            "x25 9 5 0",
            "ax25 3 2 0",
            "rds 21 5 0",
            "tipc 30 2 0",
            "can 29 3 1",
            "xdp 44 3 0",
            "mctp 45 2 0",
            "unspec 0 1 0",
            "ipx 4 2 0",
            "netrom 6 5 0",
            "bridge 7 2 0",
            "atmpvc 8 2 0",
            "rose 11 5 0",
            "decnet 12 5 0",
            "netbeui 13 2 0",
            "security 14 2 0",
            "inet-sock-packet 2 " + SOCK_PACKET + " 768",
            // The kernel takes an int: these upper bits would make it vsock, unix and netlink-audit.
            "vsock-upper-bits " + ((1L << 32) | 40) + " 1 0",
            "unix-upper-bits " + ((1L << 32) | 1) + " 1 0",
            "netlink-audit-upper-bits 16 3 " + ((1L << 32) | 9),
            "netlink-audit 16 3 9",
            "netlink-uevent 16 2 15",
            "netlink-sock-diag 16 3 4",
            "netlink-generic 16 3 16",
            "netlink-netfilter 16 3 12",
            "netlink-xfrm 16 3 6",
            "netlink-connector 16 3 11",
            "netlink-selinux 16 3 7");

    @Test
    void socketFamiliesOutsideTheNetworkNamespaceAreRefused() {
        TestCells.Result r = cells.sh(perlCalls(SOCKET, REFUSED) + perlCalls(SOCKETPAIR, REFUSED));
        assertThat(r.out().lines().toList())
                .as(r.out())
                .hasSize(2 * REFUSED.size())
                .allSatisfy(line -> assertThat(line).endsWith(" 1"));
    }

    @Test
    void aVsockPortCannotBeBoundOrListenedOn() {
        // Before anything else: a listener on the host's vsock port space is the reach past "loopback only".
        TestCells.Result r = cells.sh("""
                perl -e 'use Socket; socket(S, 40, 1, 0) or die "socket $!\\n";
                  bind(S, pack("S S L L C x3", 40, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0)) or die "bind $!\\n";
                  listen(S, 1) or die "listen $!\\n"; print "LISTENING vsock\\n"' 2>&1
                """);
        assertThat(r.out()).doesNotContain("LISTENING").startsWith("socket Operation not permitted");
    }

    @Test
    void theFamiliesATaskNeedsStillWork() {
        List<String> allowed = List.of(
                "unix-stream 1 " + SOCK_STREAM + " 0",
                "unix-dgram 1 " + SOCK_DGRAM + " 0",
                "inet 2 1 0",
                "inet-dgram 2 2 0",
                "inet6 10 1 0",
                "netlink-route 16 " + SOCK_RAW + " 0",
                "unix-nonblock-cloexec 1 " + (SOCK_STREAM | 04000 | 02000000) + " 0");
        TestCells.Result r = cells.sh(perlCalls(SOCKET, allowed) + perlCalls(SOCKETPAIR, allowed.subList(0, 2)) + """
                perl -e 'use Socket; socket(S, AF_INET, SOCK_STREAM, 0) or die; setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1);
                  bind(S, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die "bind $!"; listen(S, 1) or die;
                  my ($port) = unpack_sockaddr_in(getsockname(S)); socket(C, AF_INET, SOCK_STREAM, 0) or die;
                  connect(C, pack_sockaddr_in($port, inet_aton("127.0.0.1"))) or die "connect $!"; print "loopback ok\\n"'
                ip -o link show lo | grep -q 'lo:' && echo "netlink route ok"
                """);
        assertThat(r.out()).as(r.err()).contains("loopback ok", "netlink route ok");
        assertThat(r.out().lines().filter(l -> l.startsWith("socket")).toList())
                .hasSize(allowed.size() + 2)
                .allSatisfy(line -> assertThat(line).endsWith(" ok"));
    }

    /**
     * A shell snippet that makes the raw call for each "name domain type protocol" and prints "socket NAME ok" or
     * "socket NAME ERRNO" (socketpair likewise). perl passes numbers to syscall as 64-bit values.
     */
    private static String perlCalls(int nr, List<String> cases) {
        StringBuilder sh = new StringBuilder();
        String call = nr == SOCKET ? "socket" : "socketpair";
        for (String c : cases) {
            String[] f = c.split(" ");
            sh.append(
                    "perl -e '$sv = \"\\0\" x 8; $r = syscall(%d, %s, %s, %s%s); print \"%s %s \", ($r < 0 ? $!+0 : \"ok\"), \"\\n\"'\n"
                            .formatted(nr, f[1], f[2], f[3], nr == SOCKET ? "" : ", $sv", call, f[0]));
        }
        return sh.toString();
    }
}
