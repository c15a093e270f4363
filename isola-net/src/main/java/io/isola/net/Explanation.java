package io.isola.net;

import io.isola.core.policy.NetworkAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What the proxy would decide for a destination, and why, per address: {@code isola net explain}. The same
 * {@link Decider} and resolver as the proxy, so the answer is the proxy's.
 *
 * @param verdict the whole decision
 * @param perAddress each resolved address's decision (empty when the name alone decided, or it has no address)
 */
public record Explanation(Target target, NetworkAccess level, Decision verdict, List<Decision> perAddress) {
    /**
     * Explains {@code text}: an http(s) URL, or HOST[:PORT] (443 when no port is given). Throws
     * {@link Target.Refused} for text the proxy would refuse as malformed; that is a decision too.
     */
    public static Explanation of(String text, NetworkAccess level, Decider decider, Resolver resolver) {
        Target t = parse(text);
        Decision byName = decider.byName(level, t);
        if (byName != null) {
            return new Explanation(t, level, byName, List.of());
        }
        List<InetAddress> addresses;
        if (t.literal() != null) {
            addresses = List.of(t.literal());
        } else {
            try {
                addresses = resolver.resolve(t.host());
            } catch (UnknownHostException e) {
                return new Explanation(
                        t, level, Decision.block("no-such-name: " + t.host() + " has no address", null), List.of());
            } catch (IOException e) {
                return new Explanation(t, level, Decision.block("no-such-name: " + e.getMessage(), null), List.of());
            }
        }
        List<Decision> each = decider.byAddress(level, t, addresses);
        return new Explanation(t, level, Decider.verdict(each), each);
    }

    static Target parse(String text) {
        int sep = text.indexOf("://");
        if (sep < 0) {
            return RequestHead.authority(text, 443);
        }
        String scheme = text.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Target.Refused("bad-request", "only http and https URLs go through the proxy");
        }
        String rest = text.substring(sep + 3);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        return RequestHead.authority(rest.substring(0, end), scheme.equals("https") ? 443 : 80);
    }
}
