package io.isola.desktop;

import io.isola.core.IsolaException;
import io.isola.linux.Libc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.base.AbstractConnectionBase;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.types.Variant;

/**
 * The person's Isola agent: one per desktop session, on its session bus as {@code io.isola.Isola}, started by the
 * bus on first use (D-Bus activation). It answers each Open at once and hands every file or link to the Isola service
 * on a thread of its own, so the launcher that called it ends in milliseconds. It runs as the person, in their
 * session: that is why the service sees them as the caller, and where their notifications come from.
 */
public final class DesktopAgent implements FreedesktopApplication, LauncherCalls {
    static final String PATH = "/io/isola/Isola";

    private final DesktopOpen opener;
    private final TerminalOpen terminal;
    /** Who calls: the bus's own word (it took it with SO_PEERCRED), never the call's. */
    private final DBus busDaemon;

    static final int OPEN_AT_ONCE = 8;
    // Platform threads: each waits in a blocking recvmsg() downcall for its reply (see docs/service.md, Threads).
    // A few at once, the rest queued: a flood of opens (a hostile page, a stuck key) meets the service's per-user
    // limit as a queue here, not as a storm of refusals and notifications.
    private final ExecutorService work = Executors.newFixedThreadPool(
            OPEN_AT_ONCE,
            Thread.ofPlatform().name("isola-open-", 0).daemon(true).factory());

    /**
     * Each {@code isola open} from a terminal holds a thread of the bus's method calls until its window closes; the
     * library's default is 4. Beyond these, calls wait their turn (a double-click too): a person's windows, not a
     * flood, which the service's per-user limit bounds anyway.
     */
    static final int CALLS_AT_ONCE = 64;

    DesktopAgent(DesktopOpen opener, DBus busDaemon) {
        this.opener = opener;
        this.terminal = new TerminalOpen(opener);
        this.busDaemon = busDaemon;
    }

    /** Serves the session bus until it goes away; returns the exit code. */
    public static int serve(Map<String, String> env) {
        CountDownLatch gone = new CountDownLatch(1);
        DBusConnection bus;
        try {
            bus = (env.get("DBUS_SESSION_BUS_ADDRESS") != null
                            ? DBusConnectionBuilder.forAddress(env.get("DBUS_SESSION_BUS_ADDRESS"))
                            : DBusConnectionBuilder.forSessionBus())
                    .withShared(false)
                    .receivingThreadConfig()
                    .withMethodCallThreadCount(CALLS_AT_ONCE)
                    .connectionConfig()
                    .withDisconnectCallback(new IDisconnectCallback() {
                        @Override
                        public void disconnectOnError(java.io.IOException e) {
                            gone.countDown();
                        }

                        @Override
                        public void clientDisconnect() {
                            gone.countDown();
                        }

                        @Override
                        public void exceptionOnTerminate(java.io.IOException e) {
                            gone.countDown();
                        }
                    })
                    .build();
        } catch (DBusException | RuntimeException e) {
            throw new IsolaException(
                    "no session bus to serve (" + e.getMessage() + "): the agent runs in a desktop session; "
                            + "elsewhere use isola open",
                    1);
        }
        DesktopAgent agent;
        try {
            DBus busDaemon = bus.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
            DesktopOpen opener = new DesktopOpen(env);
            agent = new DesktopAgent(opener, busDaemon);
            bus.exportObject(PATH, agent);
            // started at login (autostart) or by a first click: either way, the window's toolkit starts now
            Thread.ofPlatform().daemon().name("isola-agent-warmup").start(opener::warmUp);
            bus.requestBusName(DesktopPaths.ID);
        } catch (DBusException e) {
            bus.disconnect();
            throw new IsolaException(
                    "cannot serve " + DesktopPaths.ID + " on the session bus (" + e.getMessage() + "): is another "
                            + "Isola agent running in this session?",
                    1);
        }
        // the bus name is this agent's now: a terminal's door left by an earlier one is taken over
        AgentSocket door = AgentSocket.open(env, agent.terminal);
        System.err.println("isola: the desktop agent serves " + DesktopPaths.ID + " on the session bus");
        try {
            gone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (door != null) {
                door.close();
            }
        }
        System.err.println("isola: the session bus went away: the desktop agent stops");
        return 0;
    }

    @Override
    public String getObjectPath() {
        return PATH;
    }

    @Override
    public void Activate(Map<String, Variant<?>> platformData) {
        // started with no file: nothing to open (a window comes with isola-display)
    }

    @Override
    public void Open(List<String> uris, Map<String, Variant<?>> platformData) {
        submit(uris, false);
    }

    @Override
    public void ActivateAction(String actionName, List<Variant<?>> parameter, Map<String, Variant<?>> platformData) {
        boolean view = switch (actionName) {
            case "safe-view" -> true;
            case "open-in-cell" -> false;
            default -> throw new IllegalArgumentException("no action " + actionName + ": open-in-cell, safe-view");
        };
        List<String> uris = new ArrayList<>();
        for (Variant<?> v : parameter) {
            if (v.getValue() instanceof List<?> l) {
                l.forEach(u -> uris.add(String.valueOf(u)));
            } else if (v.getValue() instanceof String s) {
                uris.add(s);
            }
        }
        submit(uris, view);
    }

    @Override
    public void OpenInCells(List<String> targets) {
        submit(targets, false);
    }

    @Override
    public void SafeView(List<String> targets) {
        submit(targets, true);
    }

    @Override
    public int OpenFromTerminal(String target, boolean window, String display) {
        String caller = AbstractConnectionBase.getCallInfo().getSource();
        long pid;
        try {
            if (busDaemon.GetConnectionUnixUser(caller).longValue() != Libc.geteuid()) {
                return TerminalOpen.NOT_HERE; // another user's command (root's, say) is theirs to run
            }
            pid = busDaemon.GetConnectionUnixProcessID(caller).longValue();
        } catch (RuntimeException e) { // the caller left before the bus answered
            return TerminalOpen.NOT_HERE;
        }
        try {
            return terminal.open(target, window, display, pid);
        } catch (RuntimeException e) { // not NOT_HERE: the task may have started, and must not start twice
            System.err.println("isola: an open from a terminal failed: " + e.getMessage());
            return 125;
        }
    }

    private void submit(List<String> uris, boolean view) {
        io.isola.core.Trace.mark("desktop request received");
        for (String u : uris) {
            work.execute(() -> opener.open(u, view)); // not submit: a failure reaches the agent's log, not a Future
        }
    }
}
