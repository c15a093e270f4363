package io.isola.cli;

import io.isola.cli.args.Command;
import io.isola.cli.args.Option;
import io.isola.cli.args.UsageException;
import io.isola.core.policy.LevelSettings;
import io.isola.core.trust.TrustLevel;
import io.isola.desktop.DesktopAgent;
import io.isola.desktop.DesktopInstaller;
import io.isola.desktop.DesktopOpen;
import io.isola.desktop.DesktopPaths;
import io.isola.desktop.DesktopTypes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code isola desktop}: double-clicks, desktop actions and xdg-open land in cells (docs/desktop.md). */
final class DesktopCommand implements Command {
    private static final Set<String> ACTIONS = Set.of("install", "uninstall", "open", "agent");
    private static final Option USER = Option.flag("--user", "install, uninstall: for you (the default)");
    private static final Option SYSTEM =
            Option.flag("--system", "install, uninstall: for everyone on this machine (as root)");
    private static final Option VIEW = Option.flag("--view", "open: a safe view instead of the handler");
    private String action;
    private boolean user, system, view;
    private List<String> targets = List.of();

    @Override
    public String name() {
        return "desktop";
    }

    @Override
    public String summary() {
        return "make double-clicks and links open in cells (desktop entry, defaults)";
    }

    @Override
    public List<String> description() {
        return List.of(
                "install   writes Isola's desktop entry (io.isola.Isola.desktop, with the actions \"Open in a",
                "          cell\" and \"Safe view\") and makes Isola the default application for the files and",
                "          links the policy opens in cells (mimeapps.list); the defaults it replaced are recorded.",
                "uninstall removes them and puts back each earlier default that is still Isola's.",
                "open      hands files and links to the Isola service as the desktop does, and shows a",
                "          notification when one is refused or its output kept (what the launcher falls back to).",
                "agent     serves io.isola.Isola on the session bus; the bus starts it on first use.",
                "The Isola service must run (isola daemon, or the systemd units) for anything to open.");
    }

    @Override
    public List<Option> options() {
        return List.of(USER, SYSTEM, VIEW);
    }

    @Override
    public String operands() {
        return "install|uninstall|open|agent [FILE|URL...]";
    }

    @Override
    public void set(Option o, String v) {
        switch (o.name()) {
            case "--user" -> user = true;
            case "--system" -> system = true;
            default -> view = true;
        }
    }

    @Override
    public void operands(List<String> operands) throws UsageException {
        if (operands.isEmpty() || !ACTIONS.contains(operands.get(0))) {
            throw new UsageException("use: isola desktop install|uninstall [--user|--system], isola desktop open "
                    + "[--view] FILE|URL...");
        }
        action = operands.get(0);
        targets = operands.subList(1, operands.size());
        boolean installs = action.equals("install") || action.equals("uninstall");
        if (user && system) {
            throw new UsageException("--user and --system exclude each other: choose one");
        }
        if ((user || system) && !installs) {
            throw new UsageException("--user and --system are for install and uninstall");
        }
        if (view && !action.equals("open")) {
            throw new UsageException("--view is for isola desktop open");
        }
        if (action.equals("open") && targets.isEmpty()) {
            throw new UsageException("isola desktop open needs a FILE or URL");
        }
        if (!action.equals("open") && !targets.isEmpty()) {
            throw new UsageException("isola desktop " + action + " takes no operands");
        }
    }

    @Override
    public int call() {
        Map<String, String> env = System.getenv();
        return switch (action) {
            case "install" -> install(env);
            case "uninstall" -> uninstall(env);
            case "agent" -> DesktopAgent.serve(env);
            default -> open(env);
        };
    }

    private int install(Map<String, String> env) {
        DesktopPaths paths = DesktopPaths.of(env, system);
        LevelSettings untrusted = Policies.load(null).level(TrustLevel.UNTRUSTED);
        List<String> made = new DesktopInstaller(paths)
                .install(
                        isolaCommand(env),
                        type -> DesktopTypes.isScheme(type)
                                ? untrusted.specificHandlerFor(type) != null
                                : untrusted.handlerFor(type) != null);
        System.out.println("installed " + paths.entry() + " (and " + paths.busService() + ", " + paths.launcher()
                + "; the agent starts at your next login: " + paths.autostart() + ")");
        System.out.println("Isola is now the default for " + made.size() + " types and schemes in " + paths.mimeapps()
                + (made.isEmpty() ? " (the policy has no handler for any of them)" : ": " + String.join(" ", made)));
        try (io.isola.service.ServiceClient service = io.isola.service.ServiceClient.connect(env)) {
            System.out.println(
                    service != null
                            ? "files and links you open from the desktop now go to the Isola service"
                            : "no Isola service answers yet: start it (sudo isola daemon, or systemctl enable --now "
                                    + "isola.socket); until then nothing you open from the desktop opens");
        }
        return 0;
    }

    private int uninstall(Map<String, String> env) {
        DesktopPaths paths = DesktopPaths.of(env, system);
        List<String> restored = new DesktopInstaller(paths).uninstall();
        System.out.println("removed Isola's desktop entry; earlier defaults back for " + restored.size()
                + " types and schemes in " + paths.mimeapps());
        return 0;
    }

    private int open(Map<String, String> env) {
        DesktopOpen opener = new DesktopOpen(env);
        int code = 0;
        for (String t : targets) {
            // from a terminal, a relative path means what it means there; links and absolute paths stay
            String named = t.contains("://") || t.startsWith("/")
                    ? t
                    : Path.of(t).toAbsolutePath().normalize().toString();
            int c = opener.open(named, view).exit();
            code = code == 0 ? c : code;
        }
        return code;
    }

    /** How the desktop runs isola: the launcher of this installation, or ISOLA_COMMAND (tests, packagers). */
    private static String isolaCommand(Map<String, String> env) {
        String c = env.get("ISOLA_COMMAND");
        if (c != null && !c.isBlank()) {
            return Path.of(c).toAbsolutePath().toString();
        }
        return Path.of(System.getProperty("isola.home", "."), "bin", "isola")
                .toAbsolutePath()
                .normalize()
                .toString();
    }
}
