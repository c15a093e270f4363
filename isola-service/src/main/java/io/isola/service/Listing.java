package io.isola.service;

import java.util.List;

/** {@code isola ps} and {@code isola kill} on the daemon's cells, each user's own only. */
final class Listing {
    private Listing() {}

    static Message ps(Request r, CellTable table) {
        List<CellTable.Entry> cells = table.visibleTo(r.user);
        StringBuilder out = new StringBuilder();
        if ("true".equals(r.message.get(Protocol.JSON))) {
            out.append('[');
            for (int i = 0; i < cells.size(); i++) {
                CellTable.Entry e = cells.get(i);
                out.append(i == 0 ? "" : ",")
                        .append("{\"cell\":")
                        .append(json(e.cell().id()))
                        .append(",\"user\":")
                        .append(json(e.owner().name()))
                        .append(",\"uid\":")
                        .append(Integer.toUnsignedString(e.owner().uid()))
                        .append(",\"engine\":")
                        .append(json(e.engine()))
                        .append(",\"started\":")
                        .append(json(e.started().toString()))
                        .append(",\"command\":[");
                for (int j = 0; j < e.command().size(); j++) {
                    out.append(j == 0 ? "" : ",").append(json(e.command().get(j)));
                }
                out.append("]}");
            }
            out.append("]\n");
        } else {
            out.append(String.format("%-24s %-12s %-8s %6s  %s%n", "CELL", "USER", "ENGINE", "AGE", "COMMAND"));
            for (CellTable.Entry e : cells) {
                out.append(String.format(
                        "%-24s %-12s %-8s %6s  %s%n",
                        e.cell().id(),
                        e.owner().name(),
                        e.engine(),
                        CellTable.age(e),
                        printable(String.join(" ", e.command()))));
            }
        }
        return new Message().add(Protocol.EXIT, 0).add("out", out.toString());
    }

    static Message kill(Request r, CellTable table) {
        String id = r.message.get(Protocol.CELL);
        if (id == null || !table.kill(r.user, id)) {
            return new Message()
                    .add(Protocol.EXIT, 1)
                    .add(
                            Protocol.ERROR,
                            "no cell " + printable(String.valueOf(id)) + " of yours is running: isola ps lists yours");
        }
        return new Message().add(Protocol.EXIT, 0);
    }

    /** Control characters shown as \\uXXXX: a command line must not drive the terminal of whoever lists it. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 32 || c == 127 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 32 || c == 127) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
