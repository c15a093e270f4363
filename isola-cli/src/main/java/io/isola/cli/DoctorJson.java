package io.isola.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.isola.vm.Accelerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code isola doctor --json}: every line of the text form, and its facts as values; docs/trust.md lists the keys. */
final class DoctorJson {
    private DoctorJson() {}

    static String of(List<DoctorLine> lines, long problems, StateDoctor s, Accelerator accel) throws IOException {
        return PolicyJson.object(g -> {
            g.writeBooleanField("ready", problems == 0);
            g.writeNumberField("problems", problems);
            g.writeArrayFieldStart("checks");
            for (DoctorLine l : lines) {
                g.writeStartObject();
                g.writeStringField("name", l.name());
                g.writeStringField("status", l.status());
                g.writeStringField("detail", l.detail());
                g.writeStringField("fix", l.fix());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("vm-image");
            g.writeBooleanField("built", s.imageHash() != null);
            g.writeStringField("sha256", s.imageHash());
            path(g, "dir", s.imageDir());
            g.writeStringField("accelerator", accel == null ? null : accel.toString());
            g.writeEndObject();
            g.writeObjectFieldStart("policy");
            path(g, "file", s.policy());
            g.writeBooleanField("ok", s.policyError() == null);
            g.writeStringField("error", s.policyError());
            g.writeEndObject();
            g.writeObjectFieldStart("state");
            path(g, "dir", s.state());
            number(g, "bytes", s.stateBytes());
            g.writeEndObject();
            g.writeObjectFieldStart("audit-log");
            path(g, "file", s.auditLog());
            number(g, "bytes", s.auditBytes());
            g.writeEndObject();
        });
    }

    private static void path(JsonGenerator g, String name, Path p) throws IOException {
        g.writeStringField(name, p == null ? null : p.toString());
    }

    private static void number(JsonGenerator g, String name, Long n) throws IOException {
        if (n == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, n);
        }
    }
}
