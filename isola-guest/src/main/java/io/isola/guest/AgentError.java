package io.isola.guest;

import io.isola.guest.Wire.Payload;
import io.isola.guest.Wire.ProtocolException;

/** ERROR, guest to host: what the agent could not do (e.g. start the command). The host makes it printable. */
public record AgentError(String message) implements Wire.Message {
    @Override
    public byte[] encode() {
        return new Wire.Builder().str(message).bytes();
    }

    public static AgentError decode(Payload p) throws ProtocolException {
        String message = p.str();
        p.end();
        return new AgentError(message);
    }
}
