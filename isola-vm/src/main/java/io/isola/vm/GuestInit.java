package io.isola.vm;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The initramfs's /init: loads the virtio modules, mounts the read-only root's /usr and /etc each under a tmpfs
 * overlay (guest writes land in guest memory and never touch the image; /etc has Isola's account files on top),
 * brings loopback up (the only interface a guest has: the task's proxy listens there), then runs the agent on its
 * two virtio-serial ports, found by name: {@code isola} (control) and {@code isola.net} (connections). With {@code isola.probe} on the kernel
 * command line it only says it booted and powers off: that is the accelerator probe.
 *
 * <p>The agent's JVM only interprets ({@code -Xint}). Every clone starts with an empty translation cache, so under
 * emulation whatever code runs first in a clone is translated first; a JIT compilation in a fresh clone runs the
 * compiler itself through that, for tens of milliseconds, and the agent's work per task is a few calls. Measured on
 * the pool hand-off to /bin/true: ~48 ms interpreted against ~70 ms with C1 (three alternating rounds of 20). Bulk
 * data is copied in 64 KiB frames, a few calls each, so it does not need compiled code either.
 */
final class GuestInit {
    static final String PROBE_OK = "ISOLA-PROBE-OK";

    private GuestInit() {}

    static String script(Path javaHome, List<String> modules) {
        String mods =
                modules.stream().map(m -> Path.of(m).getFileName().toString()).collect(Collectors.joining(" "));
        return """
                #!/isola/busybox sh
                B=/isola/busybox
                $B mount -t devtmpfs -o mode=0755 dev /dev
                $B mount -t proc proc /proc
                $B mount -t sysfs sys /sys
                if $B grep -q isola.probe /proc/cmdline; then echo %s; $B reboot -f; fi
                for m in %s; do $B insmod /isola/mods/$m.ko || echo "isola: cannot load $m"; done
                $B mkdir -p /.ro /.rw
                $B mount -t squashfs -o ro /dev/vda /.ro
                $B mount -t tmpfs -o mode=0755,size=256m rw /.rw
                $B mkdir /.rw/up /.rw/work /.rw/etc-up /.rw/etc-work
                $B mount -t overlay -o lowerdir=/.ro/usr,upperdir=/.rw/up,workdir=/.rw/work usr /usr
                $B mount -t overlay -o lowerdir=/isola/etc:/.ro/etc,upperdir=/.rw/etc-up,workdir=/.rw/etc-work etc /etc
                $B mount -t tmpfs -o mode=1777,size=256m tmp /tmp
                $B mount -t tmpfs -o mode=0700 root /root
                $B mkdir -p /var/lib/xkb /run
                $B hostname cell
                $B ip link set lo up
                port=; net=
                for p in /sys/class/virtio-ports/*; do
                    case "$($B cat $p/name 2>/dev/null)" in
                        isola) port=/dev/${p##*/} ;;
                        isola.net) net=/dev/${p##*/} ;;
                    esac
                done
                if [ -z "$port" ] || [ -z "$net" ]; then echo "isola: no virtio-serial ports isola and isola.net"; $B reboot -f; fi
                export PATH=/usr/bin:/usr/sbin HOME=/root
                %s/bin/java -XX:+UseSerialGC -Xint -Xms8m -Xmx96m -Xss512k -XX:-UsePerfData \\
                    -XX:+DisableAttachMechanism --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp \\
                    -Djdk.lang.Process.launchMechanism=VFORK -cp /isola/agent io.isola.guest.Agent "$port" "$net"
                echo "isola: the agent ended ($?)"
                $B reboot -f
                """.formatted(PROBE_OK, mods, javaHome);
    }
}
