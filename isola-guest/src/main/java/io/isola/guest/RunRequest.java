package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RUN, host to guest: the command to start, its whole environment (nothing is inherited from the agent) and its
 * working directory. Counts are u16, so a list can never be announced longer than a frame can hold; every item is
 * read before it is kept, so a false count costs nothing. {@code proxy}: whether the agent listens on the task's proxy
 * address (a u8, 0 or 1: anything else is refused) before it starts the task.
 */
public record RunRequest(List<String> argv, Map<String, String> env, String workdir, boolean proxy)
        implements Wire.Message {
    @Override
    public byte[] encode() {
        Wire.Builder b = new Wire.Builder().count(argv.size());
        for (String a : argv) {
            b.str(a);
        }
        b.count(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
            b.str(e.getKey()).str(e.getValue());
        }
        return b.str(workdir).u8(proxy ? 1 : 0).bytes();
    }

    public static RunRequest decode(Payload p) throws ProtocolException {
        List<String> argv = new ArrayList<>();
        for (int i = p.u16(); i > 0; i--) {
            argv.add(p.str());
        }
        if (argv.isEmpty()) {
            throw new ProtocolException("a RUN without a command");
        }
        // in the host's order, which the re-encoding keeps
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = p.u16(); i > 0; i--) {
            if (env.put(p.str(), p.str()) != null) {
                throw new ProtocolException("a RUN that sets a variable twice");
            }
        }
        String workdir = p.str();
        int proxy = p.u8();
        if (proxy > 1) {
            throw new ProtocolException("a RUN whose proxy flag is " + proxy + ", not 0 or 1");
        }
        p.end();
        return new RunRequest(argv, env, workdir, proxy == 1);
    }
}
