# Shared by the dev/ scripts: install what Isola needs from Debian, find JDK 25, build.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# bubblewrap: the sandbox engine; libseccomp2: the cell filter; util-linux: unshare for the cells' user namespace;
# perl: attack tests make raw system calls with it; runsc: gVisor, a peer in the benchmark.
# poppler-utils, unzip, file, curl, fonts-dejavu-core: what the default handlers and the safe view use in cells.
packages="bubblewrap libseccomp2 util-linux perl runsc poppler-utils unzip file curl fonts-dejavu-core"
# safe view: LibreOffice renders office documents in the cell (and the tests make theirs with it); webp, netpbm and
# librsvg2-bin turn WebP, netpbm and SVG into PNG in the cell.
packages="$packages libreoffice-writer libreoffice-calc libreoffice-impress libreoffice-draw webp netpbm librsvg2-bin"
# weasyprint (Python, no script engine) lays out HTML and EPUB into a PDF in the cell.
packages="$packages weasyprint"
# safe view --ocr: Tesseract reads the rendered pages in the cell (tesseract-ocr-eng: its default language; -deu for
# the tour's `--ocr eng+deu` example);
# --password-file: qpdf decrypts a PDF in the cell with the password read from a file (pdftoppm takes it only on its
# command line, which /proc shows every user).
packages="$packages tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu qpdf"
# vm engine: QEMU, the guest kernel, busybox for the initramfs, squashfs-tools for the read-only root.
packages="$packages qemu-system-x86 linux-image-cloud-amd64 busybox-static squashfs-tools"
# passt: Podman's pasta, the anchor the benchmark measures the network path against.
packages="$packages passt"
# tests of dev/install: man-db and groff-base render the man page, zsh loads the zsh completion.
packages="$packages man-db groff-base zsh"
# the service: systemd-analyze checks the shipped units (PID 1 need not be systemd for that)
packages="$packages systemd"
# the desktop (isola desktop): xdg-utils opens files and links as a desktop does, dbus-send (dbus) and gdbus
# (libglib2.0-bin) are the launcher's ways to the session agent, dbus runs the tests' session bus, notify-send
# (libnotify-bin) tells the person,
# dunst under Xvfb is the tests' real notification server, desktop-file-validate checks the entry.
packages="$packages xdg-utils libglib2.0-bin dbus libnotify-bin dunst xvfb desktop-file-utils"
# windows from cells: each cell's own Xvfb, xdotool (its input) and xclip (its clipboard, on the menu's request), the viewer and editor it shows (mupdf, x11-apps'
# xedit), and for the tests a host display (xvfb), screenshots (x11-apps' xwd) and pdftoppm (poppler-utils, above);
# the host window is Java's AWT, which needs these X libraries.
packages="$packages xdotool xclip mupdf x11-apps libxext6 libxi6 libxrender1 libxtst6 fontconfig"
# links in windows: dillo, the built-in policy's browser (3 MB with its FLTK; maps its window in ~80 ms; honours the
# cell's http_proxy/https_proxy, CONNECT for https). x11-utils' xdpyinfo lets the window tests read a cell's
# resolution.
packages="$packages dillo x11-utils"

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "$(basename "$0"): run as root (cells need overlayfs and cgroups): sudo $0" >&2
        exit 1
    fi
}

install_packages() {
    missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "installing:$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
}

use_jdk() {
    JAVA_HOME=$("$root/bin/find-java")
    export JAVA_HOME
    command -v mvn >/dev/null || { echo "Maven is missing: apt-get install maven" >&2; exit 1; }
}

build() {
    compile
    train_aot_cache "$root/isola-cli/target"
}

# The jars only (isola-cli/target/isola.jar and lib/), and the JDK they were built with in isola-cli/target/java-home.
compile() {
    use_jdk
    echo "building isola (JDK: $JAVA_HOME)"
    log=$(mktemp)
    if ! mvn -B -DskipTests package >"$log" 2>&1; then
        grep -E 'ERROR|error:' "$log" | head -20 >&2
        rm -f "$log"
        echo "build failed: the errors are above (mvn -B package shows everything)" >&2
        exit 1
    fi
    rm -f "$log"
    echo "$JAVA_HOME" > isola-cli/target/java-home
}

# A training run records the classes a real command loads; later starts map them from the cache, already linked.
# The JVM loads every class of its cache at start, so a bigger cache makes every start slower: `run` gets a cache of
# its own (isola-run.aot), trained on `run` alone, the task commands share another (isola.aot), and a command that a
# running daemon serves maps a third, of the client's classes only (isola-client.aot; bin/isola picks it). A command
# with --window maps a fourth (isola-window.aot): the desktop toolkit's classes, in process and as a client, trained
# on an X server of the training's own (never the user's display). The jar path must
# be the launcher's absolute one: classes first loaded by the namespace thread, whose working directory is another
# mount namespace's root, are otherwise left out of the cache as "unsupported location". So a cache is trained where
# its jar will run: train_aot_cache DIR trains DIR/isola.jar into DIR/isola.aot and DIR/isola-run.aot (dev/install
# calls it on the installed copy).
train_aot_cache() {
    dir=$1
    rm -f "$dir/isola.aot" "$dir/isola-run.aot" "$dir/isola-client.aot" "$dir/isola-window.aot"
    state=$(mktemp -d)
    sample=$(mktemp -d)
    cp examples/invoice.pdf "$sample/"
    printf 'a line of text\n' > "$sample/note.txt"
    chmod 755 "$sample" "$state" # the daemon's cells must reach its state directory, or it refuses to start
    # the launcher's GC and heap flags (bin/isola): the cache's archived heap then maps where it was made
    flags="-XX:+UseSerialGC -XX:-UsePerfData -Xss512k -Xmx256m --enable-native-access=ALL-UNNAMED -Xlog:aot=off -Xlog:cds=off"
    jar="$dir/isola.jar"
    # Each command is trained twice: in process (--no-daemon) and as a client of a daemon started here, so that
    # both paths start from the cache (the client path is a handful of classes).
    sock="$state/isola.sock"
    # The example policy, but a window's task ends by its timeout: nobody is there to close it.
    policy="$state/policy.toml"
    sed 's/^timeout = "10m" .*/timeout = "3s"/' "$root/examples/policy.toml" > "$policy"
    ISOLA_STATE_DIR="$state/daemon" ISOLA_POLICY="$policy" "$JAVA_HOME/bin/java" $flags \
        -jar "$jar" daemon --socket "$sock" --pool 1 >/dev/null 2>&1 &
    daemon=$!
    for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
    ISOLA_SOCKET="$sock" ISOLA_STATE_DIR="$state" "$JAVA_HOME/bin/java" \
        -XX:AOTCacheOutput="$dir/isola-run.aot" -Xint $flags -cp "$jar" io.isola.cli.AotTraining \
        run --no-daemon --ro "$sample/note.txt" -- /bin/true :: run --ro "$sample/note.txt" -- /bin/true \
        >/dev/null 2>&1 \
        && ISOLA_SOCKET="$sock" ISOLA_STATE_DIR="$state" ISOLA_POLICY="$root/examples/policy.toml" "$JAVA_HOME/bin/java" \
        -XX:AOTCacheOutput="$dir/isola.aot" -Xint $flags \
        -cp "$jar" io.isola.cli.AotTraining \
        open --no-daemon "$sample/note.txt" :: open --no-daemon --view "$sample/invoice.pdf" \
        :: trust --no-daemon explain "$sample/invoice.safe.pdf" :: policy check \
        :: open "$sample/note.txt" :: trust explain "$sample/note.txt" :: ps >/dev/null 2>&1 \
        && ISOLA_SOCKET="$sock" ISOLA_STATE_DIR="$state" "$JAVA_HOME/bin/java" \
        -XX:AOTCacheOutput="$dir/isola-client.aot" -Xint $flags \
        -cp "$jar" io.isola.cli.AotTraining \
        run --ro "$sample/note.txt" -- /bin/true :: open "$sample/note.txt" :: trust explain "$sample/note.txt" \
        :: ps >/dev/null 2>&1 \
        || echo "note: no AOT cache (the training run failed); isola still works, it only starts slower"
    train_window_cache "$dir" "$state" "$sample" "$sock" "$policy" "$flags"
    kill "$daemon" 2>/dev/null || true # it may have stopped on its own; the caches are made either way
    wait "$daemon" 2>/dev/null || true
    rm -rf "$sample"
    rm -rf "$state"
}

# isola-window.aot: `open --window` of a PDF in process and through the daemon, on a private Xvfb. Without Xvfb
# (an installation on a desktop that lacks it) there is no such cache: windows then start ~100 ms slower.
train_window_cache() {
    dir=$1 state=$2 sample=$3 sock=$4 policy=$5 flags=$6
    if ! command -v Xvfb >/dev/null; then
        echo "note: no Xvfb to train the windows' AOT cache on; isola open --window only starts slower"
        return 0
    fi
    if ! grep -q '^timeout = "3s"' "$policy"; then # the example policy changed its timeout line: never wait 10 min
        echo "note: the training policy has no short timeout (examples/policy.toml changed?); no AOT cache for windows"
        return 0
    fi
    Xvfb -displayfd 3 -nolisten tcp -noreset -screen 0 1280x800x24 3>"$state/display" >/dev/null 2>&1 &
    xvfb=$!
    for _ in $(seq 100); do [ -s "$state/display" ] && break; sleep 0.1; done
    if [ -s "$state/display" ]; then
        DISPLAY=":$(cat "$state/display")" ISOLA_SOCKET="$sock" ISOLA_STATE_DIR="$state" ISOLA_POLICY="$policy" \
            timeout 300 "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$dir/isola-window.aot" -Xint $flags \
            -cp "$jar" io.isola.cli.AotTraining \
            open --no-daemon --window "$sample/invoice.pdf" :: open --window "$sample/invoice.pdf" >/dev/null 2>&1 \
            || echo "note: no AOT cache for windows (the training run failed); windows only start slower"
    fi
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
}
