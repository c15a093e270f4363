package io.isola.vm;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Egress;
import io.isola.core.Limits;
import io.isola.core.Network;
import io.isola.core.TaskFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An egress that stands in for the host's proxy (not under test here): it reads one HTTP request from each connection
 * and answers it itself, naming the cell the engine said the connection came from. {@code /big/N} answers N bytes of
 * {@link #content} (counted in {@link #bigWritten} as they are written); {@code /hold} answers nothing and keeps the
 * connection open, as a slow upstream would.
 */
final class NetTestEgress implements Egress {
    record Seen(String cellId, String requestLine, Connection connection) {}

    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    final AtomicLong bigWritten = new AtomicLong();

    static CellSpec spec(Egress egress, String script) {
        Network net = egress == null ? Network.NONE : Network.through(egress);
        return new CellSpec(
                VmEngine.NAME,
                "host",
                List.of("/bin/sh", "-c", script),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                Path.of("/"),
                net,
                Limits.DEFAULT,
                TaskFiles.NONE);
    }

    /** The bytes {@code /big/N} answers: the same for every call. */
    static byte[] content(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Override
    public void accept(String cellId, Connection c) {
        Thread.ofVirtual().start(() -> {
            try {
                String line = readHead(c).lines().findFirst().orElse("");
                seen.add(new Seen(cellId, line, c));
                String path = line.split(" ").length > 1 ? line.split(" ")[1].replaceFirst("^http://[^/]*", "") : "";
                if (path.equals("/hold")) {
                    return;
                }
                byte[] body = path.startsWith("/big/")
                        ? content(Integer.parseInt(path.substring(5)))
                        : ("via egress for " + cellId + "\n").getBytes(StandardCharsets.UTF_8);
                c.write(ByteBuffer.wrap(
                        ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII)));
                for (int off = 0; off < body.length; off += 64 << 10) {
                    int n = Math.min(64 << 10, body.length - off);
                    c.write(ByteBuffer.wrap(body, off, n));
                    if (path.startsWith("/big/")) {
                        bigWritten.addAndGet(n);
                    }
                }
                c.shutdownOutput();
                while (c.read(ByteBuffer.allocate(256)) >= 0) {
                    // the task closes its end once it has the answer; read to that end, then close ours
                }
                c.close();
            } catch (IOException | RuntimeException e) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        });
    }

    private static String readHead(Connection c) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1);
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n") && head.size() < 8192) {
            b.clear();
            if (c.read(b) < 0) {
                break;
            }
            head.write(b.get(0));
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
