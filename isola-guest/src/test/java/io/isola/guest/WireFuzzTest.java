package io.isola.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both ends decode bytes from a peer they do not trust (the host most of all), so every decode is fed honest, mutated
 * and random payloads: each must either give a message that encodes back to the very same bytes, or refuse with a
 * ProtocolException. Anything else (an index error, a wrong code taken, a huge allocation for a small frame) fails.
 * Seeded, so a failure comes back on every run; the failing payload is printed.
 */
class WireFuzzTest {
    private static final long SEED = 0x15014L;
    private static final int CASES = 100_000;
    /**
     * What a decode may allocate: a small multiple of the payload (a string costs its decoder, a char buffer and the
     * String, each empty string ~200 bytes for 2 payload bytes) plus room for a refusal's stack trace. A decode that
     * sizes anything by a count it was told, not by bytes it has, blows through it.
     */
    private static final long ALLOCATION_PER_BYTE = 256, ALLOCATION_SLACK = 32 << 10;

    private interface Decoder {
        Wire.Message decode(Payload p) throws ProtocolException;
    }

    private static final Map<String, Decoder> DECODERS = Map.of(
            "Entry",
            Entry::decode,
            "RunRequest",
            RunRequest::decode,
            "HarvestRequest",
            HarvestRequest::decode,
            "Exit",
            Exit::decode,
            "AgentError",
            AgentError::decode,
            "CellPath",
            CellPath::decode);
    private static final String[] PIECES = {
        "a",
        "Z",
        "/",
        ".",
        "..",
        " ",
        "=",
        "\0",
        "\n",
        "\u001b",
        "\u00e9",
        "\u20ac",
        "\ud83d\ude00",
        "\uffff",
        "in",
        "out"
    };

    private final Random random = new Random(SEED);
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void everyDecodeGivesBackItsBytesOrRefuses() throws Throwable {
        int decoded = onAShallowStack(() -> {
            int n = 0;
            for (int i = 0; i < CASES; i++) {
                byte[] payload = switch (i % 4) {
                    case 0 -> honest().encode();
                    case 1, 2 -> mutate(honest().encode());
                    default -> noise();
                };
                for (Map.Entry<String, Decoder> d : DECODERS.entrySet()) {
                    n += check(d.getKey(), d.getValue(), payload) ? 1 : 0;
                }
            }
            return n;
        });
        // the honest quarter alone decodes: a fuzzer that only ever hits refusals tests nothing
        assertThat(decoded).isGreaterThan(CASES / 4);
    }

    @Test
    void framesAreReadWithinTheLimitOrRefused() throws Throwable {
        onAShallowStack(() -> {
            for (int i = 0; i < CASES / 10; i++) {
                byte[] stream = noise();
                if (stream.length >= 5 && random.nextBoolean()) {
                    stream[1] = random.nextInt(3) == 0 ? (byte) 0x80 : 0; // a length over 2 GiB, or a small one
                }
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream));
                try {
                    Wire.Frame f;
                    while ((f = Wire.read(in)) != null) {
                        assertThat(f.payload().length).isLessThanOrEqualTo(Wire.MAX_PAYLOAD);
                    }
                } catch (ProtocolException | EOFException expected) {
                    // refused before the allocation, or the stream ended inside a frame
                }
            }
            return 0;
        });
    }

    /**
     * Runs {@code work} on a thread of its own: most cases end in a refusal, and an exception's cost grows with the
     * stack under it, which JUnit makes ~70 frames deep. Failures are rethrown here.
     */
    private static int onAShallowStack(java.util.concurrent.Callable<Integer> work) throws Throwable {
        var task = new java.util.concurrent.FutureTask<>(work);
        Thread.ofPlatform().name("fuzz").start(task).join();
        try {
            return task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause();
        }
    }

    /** Whether {@code payload} decoded; fails on anything but a faithful message or a ProtocolException. */
    private boolean check(String name, Decoder d, byte[] payload) {
        long before = threads.getCurrentThreadAllocatedBytes();
        Wire.Message m = decode(name, d, payload);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        if (allocated > ALLOCATION_PER_BYTE * payload.length + ALLOCATION_SLACK) {
            // the first refusal of a kind links its message's concatenation: measure once more, warm
            before = threads.getCurrentThreadAllocatedBytes();
            decode(name, d, payload);
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > ALLOCATION_PER_BYTE * payload.length + ALLOCATION_SLACK) {
                fail(name + ".decode allocated " + allocated + " bytes for " + payload.length + ": " + hex(payload));
            }
        }
        if (m == null) {
            return false;
        }
        if (!Arrays.equals(m.encode(), payload)) {
            fail(name + ".decode gave " + m + ", which encodes to " + hex(m.encode()) + ", from " + hex(payload));
        }
        return true;
    }

    private static Wire.Message decode(String name, Decoder d, byte[] payload) {
        try {
            return d.decode(new Payload(payload));
        } catch (ProtocolException refused) {
            return null;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(name + ".decode threw " + e + " on " + hex(payload), e);
        }
    }

    private Wire.Message honest() {
        return switch (random.nextInt(6)) {
            case 0 ->
                new Entry(
                        pick(Entry.Kind.values()),
                        pick(Entry.Type.values()),
                        random.nextInt(07777 + 1),
                        random.nextBoolean() ? 1 : random.nextLong() & Long.MAX_VALUE,
                        random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong() & Long.MAX_VALUE,
                        text(),
                        text());
            case 1 -> {
                Map<String, String> env = new LinkedHashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    env.putIfAbsent(text(), text());
                }
                yield new RunRequest(texts(1 + random.nextInt(4)), env, text(), random.nextBoolean());
            }
            case 2 -> new HarvestRequest(text(), texts(random.nextInt(4)));
            case 3 -> new Exit(random.nextInt(256));
            case 4 -> new AgentError(text());
            default -> new CellPath(text());
        };
    }

    /** One to three changes of the kinds a lying peer or a torn stream makes. */
    private byte[] mutate(byte[] b) {
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length);
            b = switch (random.nextInt(7)) {
                case 0 -> flip(b, at, 1 << random.nextInt(8));
                case 1 -> set(b, at, random.nextBoolean() ? 0xff : 0x00);
                case 2 -> Arrays.copyOf(b, at); // cut short
                case 3 -> concat(b, Arrays.copyOf(noise(), 1 + random.nextInt(4))); // trailing bytes
                case 4 ->
                    concat(
                            concat(Arrays.copyOf(b, at), new byte[] {(byte) random.nextInt()}),
                            Arrays.copyOfRange(b, at, b.length)); // one byte in
                case 5 -> concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length, at + 1), b.length));
                default -> set(set(b, at, 0xff), at + 1, 0xff); // a count or length at its largest
            };
        }
        return b;
    }

    private byte[] noise() {
        byte[] b = new byte[random.nextInt(8) == 0 ? random.nextInt(2048) : random.nextInt(48)];
        random.nextBytes(b);
        return b;
    }

    private String text() {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(16) == 0 ? random.nextInt(600) : random.nextInt(8); n > 0; n--) {
            s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    private List<String> texts(int n) {
        List<String> l = new ArrayList<>();
        for (; n > 0; n--) {
            l.add(text());
        }
        return l;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] flip(byte[] b, int at, int bits) {
        return at < b.length ? set(b, at, b[at] ^ bits) : b;
    }

    private static byte[] set(byte[] b, int at, int v) {
        if (at < b.length) {
            b[at] = (byte) v;
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
