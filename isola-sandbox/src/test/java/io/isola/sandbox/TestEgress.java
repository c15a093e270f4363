package io.isola.sandbox;

import io.isola.core.CellEnvironment;
import io.isola.core.CellSpec;
import io.isola.core.Egress;
import io.isola.core.Limits;
import io.isola.core.Network;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An egress that stands in for the host's proxy (which is not under test here): it reads one HTTP request from each
 * connection and answers it itself, naming the cell the engine said the connection came from. With {@code hold}
 * it answers nothing and keeps the connection open, as a slow upstream would.
 */
final class TestEgress implements Egress {
    /** One connection as the egress saw it. */
    record Seen(String cellId, String requestLine, Connection connection) {}

    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final boolean hold;

    TestEgress(boolean hold) {
        this.hold = hold;
    }

    static CellSpec spec(Egress egress, String script) {
        Network net = egress == null ? Network.NONE : Network.through(egress);
        return new CellSpec(
                "sandbox",
                "host",
                List.of("/bin/sh", "-c", script),
                CellEnvironment.build(Map.of(), List.of()),
                List.of(),
                null,
                net,
                Limits.DEFAULT);
    }

    @Override
    public void accept(String cellId, Connection c) {
        Thread.ofVirtual().start(() -> {
            try {
                String head = readHead(c);
                seen.add(new Seen(cellId, head.lines().findFirst().orElse(""), c));
                if (hold) {
                    return;
                }
                byte[] body = ("via egress for " + cellId + "\n").getBytes(StandardCharsets.UTF_8);
                c.write(ByteBuffer.wrap(
                        ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII)));
                c.write(ByteBuffer.wrap(body));
                c.shutdownOutput();
                // The task closes its end once it has the answer; read to that end, then close ours.
                while (c.read(ByteBuffer.allocate(256)) >= 0) {
                    // discard
                }
                c.close();
            } catch (IOException e) {
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
