package io.isola.guest;

import io.isola.guest.Wire.Frame;
import io.isola.guest.Wire.Payload;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent inside a VM cell: PID 1's only job besides reaping. It serves one host connection on a virtio-serial
 * port: runs the task with its stdio streamed as frames, writes the task's input files, and at the end sends back
 * what the task left. It trusts the host; the host trusts nothing it sends (see isola-vm's AgentChannel).
 */
public final class Agent {
    /**
     * Started in the golden VM and never retired, so clones inherit them: creating threads is slow under emulation,
     * and a cached pool's keep-alive would be measured by a clock that jumps when a clone resumes.
     */
    private static final java.util.concurrent.ExecutorService THREADS =
            java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "agent");
                t.setDaemon(true);
                return t;
            });

    private final DataInputStream in;
    private final OutputStream out;
    private final InputFiles inputs = new InputFiles();
    /** The network port's relay, or null when /init named no network port. */
    private final NetRelay net;

    private Process task;
    private OutputStream taskStdin;
    /** The folder the host asked to mirror, or null; why it could not be made, or null. */
    private Mirror mirror;

    private String mirrorFailed;

    private Agent(InputStream in, OutputStream out, NetRelay net) {
        this.net = net;
        this.in = new DataInputStream(in); // Port buffers already
        this.out = new BufferedOutputStream(out, 128 << 10);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String port = args.length > 0 ? args[0] : "/dev/vport0p1";
        NetRelay net = null;
        if (args.length > 1) {
            // Its reader starts here, in the golden VM, and clones inherit it blocked on the port.
            java.io.RandomAccessFile netPort = new java.io.RandomAccessFile(args[1], "rw");
            net = new NetRelay(Port.in(netPort.getFD()), Port.out(netPort.getFD()));
            NetRelay.warmUp();
            Thread.ofPlatform().daemon().name("net-port").start(net::serve);
        }
        Native.link();
        // One descriptor for both directions: a virtio-serial port can be open only once at a time.
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(port, "rw")) {
            new Agent(Port.in(raf.getFD()), Port.out(raf.getFD()), net).serve();
        }
    }

    private void serve() throws IOException, InterruptedException {
        while (true) {
            Frame f = Wire.read(in);
            if (f == null) {
                // The host end is not connected (yet): virtio-serial reads return end of file until it is.
                Thread.sleep(5);
                continue;
            }
            handle(f);
        }
    }

    private void handle(Frame f) throws IOException {
        Payload p = f.reader();
        switch (f.type()) {
            case Wire.HELLO -> {
                mixEntropy(p.rest());
                if (net != null) {
                    Thread.ofVirtual().start(NetRelay::warmUp); // this clone's first run of it: see warmUp
                }
                send(Wire.READY, new byte[0]);
            }
            case Wire.MKDIR ->
                Files.createDirectories(Path.of(CellPath.decode(p).path()));
            case Wire.FILE -> inputs.receive(Path.of(CellPath.decode(p).path()), in);
            case Wire.MIRROR -> {
                try {
                    mirror = Mirror.make(MirrorRequest.decode(p), this::send);
                } catch (IOException | RuntimeException e) {
                    mirrorFailed = "cannot make the window's folder: " + e.getMessage();
                }
            }
            case Wire.MIRROR_ACK -> {
                if (mirror != null) {
                    mirror.acked();
                }
            }
            case Wire.RUN -> run(RunRequest.decode(p));
            case Wire.STDIN -> {
                if (taskStdin != null) {
                    taskStdin.write(p.rest());
                    taskStdin.flush();
                }
                if (mirror != null) {
                    mirror.nudge(); // a window's input: its screen is about to change
                }
            }
            case Wire.STDIN_EOF -> {
                if (taskStdin != null) {
                    taskStdin.close();
                    taskStdin = null;
                }
            }
            case Wire.KILL -> {
                if (task != null) {
                    // Every process of the guest at once (the guest runs nothing but the task), in one kill(-1):
                    // killed one by one, children first, the task's shell ran on between them (a window closed
                    // on `xedit; echo ended` printed "ended").
                    Native.killAllOthers();
                    task.destroyForcibly();
                }
            }
            case Wire.HARVEST -> {
                HarvestRequest h = HarvestRequest.decode(p);
                new Leftovers(this::send, inputs).send(h.outputDir(), h.inputDirs());
                send(Wire.HARVEST_END, new byte[0]);
            }
            default -> send(Wire.ERROR, new AgentError("unknown frame type " + f.type()).encode());
        }
    }

    /**
     * Every clone starts from the same snapshot, random number generator state included: without this, two clones
     * would read the same bytes from /dev/urandom. The host's seed is credited and the kernel's generator reseeded.
     */
    private static void mixEntropy(byte[] seed) {
        Entropy.reseed(seed);
    }

    private void run(RunRequest r) throws IOException {
        inputs.settle();
        if (mirrorFailed != null) {
            send(Wire.ERROR, new AgentError(mirrorFailed).encode());
            send(Wire.EXIT, new Exit(125).encode());
            return;
        }
        if (r.proxy()) {
            try {
                if (net == null) {
                    throw new IOException("this VM has no network port");
                }
                net.listen(); // before the task exists: it can neither take the port first nor find it closed
            } catch (IOException e) {
                send(Wire.ERROR, new AgentError("cannot listen on the proxy address: " + e.getMessage()).encode());
                send(Wire.EXIT, new Exit(125).encode());
                return;
            }
        }
        ProcessBuilder pb = new ProcessBuilder(r.argv());
        pb.environment().clear();
        pb.environment().putAll(r.env());
        pb.directory(new java.io.File(r.workdir()));
        try {
            task = pb.start();
        } catch (IOException e) {
            send(Wire.ERROR, new AgentError(r.argv().get(0) + ": " + e.getMessage()).encode());
            send(Wire.EXIT, new Exit(127).encode());
            return;
        }
        taskStdin = task.getOutputStream();
        if (mirror != null) {
            THREADS.execute(mirror::run);
        }
        Process running = task;
        THREADS.execute(() -> finish(running));
    }

    private void finish(Process p) {
        java.util.concurrent.Future<?> o = pump(p.getInputStream(), Wire.STDOUT);
        java.util.concurrent.Future<?> e = pump(p.getErrorStream(), Wire.STDERR);
        try {
            int code = p.waitFor();
            o.get();
            e.get();
            if (mirror != null) {
                mirror.stop();
            }
            send(Wire.EXIT, new Exit(code).encode());
        } catch (InterruptedException | java.util.concurrent.ExecutionException | IOException ex) {
            // the host went away; nothing left to tell it
        }
    }

    private java.util.concurrent.Future<?> pump(InputStream from, byte type) {
        return THREADS.submit(() -> {
            byte[] buf = new byte[32 << 10];
            try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                    send(type, buf, n);
                }
            } catch (IOException ignored) {
                // the task closed its end
            }
        });
    }

    void send(byte type, byte[] payload) throws IOException {
        send(type, payload, payload.length);
    }

    private void send(byte type, byte[] payload, int len) throws IOException {
        synchronized (out) {
            Wire.write(out, type, payload, 0, len);
            out.flush();
        }
    }

    /** How Leftovers sends frames. */
    interface Sender {
        void send(byte type, byte[] payload) throws IOException;
    }
}
