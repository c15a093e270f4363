package io.isola.guest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Reseeds the guest kernel's random number generator with bytes from the host (ioctl RNDADDENTROPY, then
 * RNDRESEEDCRNG). A plain write to /dev/urandom is mixed in but not used until the next periodic reseed, which
 * would leave two clones of one snapshot reading the same random bytes meanwhile.
 */
final class Entropy {
    private static final long RNDADDENTROPY = 0x40085203L, RNDRESEEDCRNG = 0x5207L;
    private static final int O_RDWR = 2;

    // Made once, in the golden VM: every clone inherits them linked, instead of paying for it under emulation.
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Entropy() {}

    static void reseed(byte[] seed) {
        MethodHandle open = OPEN, ioctl = IOCTL, close = CLOSE;
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(a.allocateFrom("/dev/urandom"), O_RDWR);
            if (fd < 0) {
                return;
            }
            // struct rand_pool_info { int entropy_count (bits); int buf_size (bytes); u32 buf[]; }
            MemorySegment info = a.allocate(8L + seed.length);
            info.set(ValueLayout.JAVA_INT, 0, seed.length * 8);
            info.set(ValueLayout.JAVA_INT, 4, seed.length);
            MemorySegment.copy(seed, 0, info, ValueLayout.JAVA_BYTE, 8, seed.length);
            int r1 = (int) ioctl.invokeExact(fd, RNDADDENTROPY, info);
            int r2 = (int) ioctl.invokeExact(fd, RNDRESEEDCRNG, MemorySegment.NULL);
            int r3 = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            System.err.println("isola agent: cannot reseed the random number generator: " + t);
        }
    }
}
