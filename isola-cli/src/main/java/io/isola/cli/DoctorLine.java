package io.isola.cli;

/**
 * One line of {@code isola doctor}: a check and its outcome, or a fact about this installation. The text form
 * prints {@link #text()}; {@code --json} lists {@code name, status, detail, fix}, so both come from the same line.
 *
 * @param status {@code ok}, {@code fail} (a problem: doctor exits 1), {@code warn} (only some uses need it) or
 *     {@code info} (a fact)
 * @param detail what was found, "" when the name says it all
 * @param fix what to do, "" when nothing is to be done
 */
record DoctorLine(String name, String status, String detail, String fix) {
    static DoctorLine check(String name, boolean ok, String detail, String fix) {
        return new DoctorLine(name, ok ? "ok" : "fail", detail, ok ? "" : fix);
    }

    static DoctorLine warn(String name, String detail, String fix) {
        return new DoctorLine(name, "warn", detail, fix);
    }

    static DoctorLine info(String name, String detail) {
        return new DoctorLine(name, "info", detail, "");
    }

    boolean problem() {
        return status.equals("fail");
    }

    /** For people: "  ok    what[: detail]", "  FAIL  what[: detail]: fix", "  note  …", "  info  what: detail". */
    String text() {
        String label = switch (status) {
            case "ok" -> "  ok    ";
            case "fail" -> "  FAIL  ";
            case "warn" -> "  note  ";
            default -> "  info  ";
        };
        return label + name + (detail.isEmpty() ? "" : ": " + detail) + (fix.isEmpty() ? "" : ": " + fix);
    }
}
