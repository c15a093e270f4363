package io.isola.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Nothing of the caller's environment reaches a task unless it is named. */
class CellEnvironmentTest {
    private static final Map<String, String> CALLER = Map.of(
            "PATH",
            "/home/me/evil-bin:/usr/bin",
            "HOME",
            "/home/me",
            "USER",
            "me",
            "SSH_AUTH_SOCK",
            "/tmp/ssh-agent.sock",
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/run/user/1000/bus",
            "DISPLAY",
            ":0",
            "GITHUB_TOKEN",
            "ghp_secret",
            "LD_PRELOAD",
            "/tmp/hook.so",
            "EDITOR",
            "vim");

    @Test
    void passesOnlyTheMinimalFixedVariables() {
        Map<String, String> env = CellEnvironment.build(CALLER, List.of());
        assertThat(env)
                .containsExactly(
                        entry("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"),
                        entry("HOME", CellEnvironment.HOME),
                        entry("USER", "user"),
                        entry("LOGNAME", "user"),
                        entry("SHELL", "/bin/sh"),
                        entry("TMPDIR", "/tmp"),
                        entry("LANG", "C.UTF-8"));
    }

    @Test
    void keepsTheCallersTerminalAndLocaleSettings() {
        Map<String, String> caller = Map.of(
                "LANG",
                "de_DE.UTF-8",
                "TERM",
                "xterm-256color",
                "TZ",
                "Europe/Berlin",
                "COLUMNS",
                "120",
                "LINES",
                "40",
                "SSH_AUTH_SOCK",
                "/tmp/agent");
        Map<String, String> env = CellEnvironment.build(caller, List.of());
        assertThat(env)
                .contains(
                        entry("LANG", "de_DE.UTF-8"),
                        entry("TERM", "xterm-256color"),
                        entry("TZ", "Europe/Berlin"),
                        entry("COLUMNS", "120"),
                        entry("LINES", "40"));
        assertThat(env).doesNotContainKey("SSH_AUTH_SOCK").hasSize(11);
    }

    @Test
    void aBareNameCopiesTheCallersValueAndIsSkippedWhenTheCallerHasNone() {
        Map<String, String> env = CellEnvironment.build(CALLER, List.of("EDITOR", "NOT_SET_ANYWHERE"));
        assertThat(env).containsEntry("EDITOR", "vim").doesNotContainKey("NOT_SET_ANYWHERE");
        assertThat(env).doesNotContainKeys("SSH_AUTH_SOCK", "DISPLAY", "GITHUB_TOKEN", "LD_PRELOAD");
    }

    @Test
    void nameEqualsValueSetsTheValueVerbatim() {
        Map<String, String> env =
                CellEnvironment.build(CALLER, List.of("MODE=fast", "QUERY=a=b=c", "EMPTY=", "_under_1=x y"));
        assertThat(env)
                .contains(entry("MODE", "fast"), entry("QUERY", "a=b=c"), entry("EMPTY", ""), entry("_under_1", "x y"));
    }

    @Test
    void requestedValuesReplaceTheFixedOnes() {
        Map<String, String> env = CellEnvironment.build(CALLER, List.of("LANG=C", "HOME"));
        assertThat(env).containsEntry("LANG", "C").containsEntry("HOME", "/home/me");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=value", "1ABC", "1ABC=x", "A-B", "A-B=x", "A B=x", "PÄTH=x", "$X", "a.b"})
    void rejectsInvalidNamesWithUsageExitCode(String bad) {
        assertThatThrownBy(() -> CellEnvironment.build(CALLER, List.of(bad)))
                .isInstanceOfSatisfying(
                        IsolaException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("bad --env " + bad)
                .hasMessageContaining("NAME=VALUE");
    }

    @Test
    void aCellThatReachesOutGetsItsProxyAddressAndNoOther() {
        Egress egress = (cellId, connection) -> {};
        Map<String, String> env = CellEnvironment.withNetwork(
                CellEnvironment.build(CALLER, List.of("http_proxy=http://10.0.0.1:8080", "EDITOR")),
                Network.through(egress));
        assertThat(env)
                .contains(
                        entry("http_proxy", "http://127.0.0.1:3128"),
                        entry("https_proxy", "http://127.0.0.1:3128"),
                        entry("HTTP_PROXY", "http://127.0.0.1:3128"),
                        entry("HTTPS_PROXY", "http://127.0.0.1:3128"),
                        entry("ALL_PROXY", "http://127.0.0.1:3128"),
                        entry("all_proxy", "http://127.0.0.1:3128"),
                        entry("no_proxy", "localhost,127.0.0.1,::1"),
                        entry("NO_PROXY", "localhost,127.0.0.1,::1"),
                        entry("EDITOR", "vim"),
                        entry("HOME", "/home/user"));
    }

    @Test
    void aCellWithoutNetworkGetsNoProxySettings() {
        Map<String, String> env = CellEnvironment.build(CALLER, List.of());
        assertThat(CellEnvironment.withNetwork(env, Network.NONE))
                .isEqualTo(env)
                .doesNotContainKeys("http_proxy", "HTTP_PROXY", "ALL_PROXY", "no_proxy");
    }
}
