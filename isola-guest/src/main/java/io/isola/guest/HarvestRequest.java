package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * HARVEST, host to guest: send back what the task left in its output directory (empty: none) and what it changed
 * in its input directories. The agent answers with ENTRY frames and a HARVEST_END.
 */
public record HarvestRequest(String outputDir, List<String> inputDirs) implements Wire.Message {
    @Override
    public byte[] encode() {
        Wire.Builder b = new Wire.Builder().str(outputDir).count(inputDirs.size());
        for (String d : inputDirs) {
            b.str(d);
        }
        return b.bytes();
    }

    public static HarvestRequest decode(Payload p) throws ProtocolException {
        String outputDir = p.str();
        List<String> inputDirs = new ArrayList<>();
        for (int i = p.u16(); i > 0; i--) {
            inputDirs.add(p.str());
        }
        p.end();
        return new HarvestRequest(outputDir, inputDirs);
    }
}
