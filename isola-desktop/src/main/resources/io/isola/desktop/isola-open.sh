#!/bin/sh
# Isola's desktop launcher, written by `isola desktop install`: what a double-click, a desktop action or xdg-open
# runs (the Exec line of io.isola.Isola.desktop). It starts no JVM: gdbus, a small C program, hands the files and
# links to the Isola agent on the session bus (org.freedesktop.Application.Open), and the bus starts the agent on its
# first use. The agent sends each to the Isola service, and a notification says what was refused or kept.
# Without a session bus (or gdbus), `isola desktop open` does the same in a JVM of its own.
#   isola-open [--open|--view] FILE|URL...
isola=@ISOLA@
action=
case "${1:-}" in
    --open) action=open-in-cell; shift ;;
    --view) action=safe-view; shift ;;
esac
[ $# -gt 0 ] || exit 0
bus=${DBUS_SESSION_BUS_ADDRESS:-}
# Only a bus that exists: without an address, gdbus could start a new bus through X11 autolaunch.
[ -z "$bus" ] && [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ] && bus=unix:path=$XDG_RUNTIME_DIR/bus
list=
for a in "$@"; do
    case $a in
        *://* | /*) ;;
        *) a=$PWD/$a ;;
    esac
    case $a in
        *"
"*) bus= ;; # a newline cannot be written in a GVariant string here: the JVM path takes it
    esac
    # a GVariant string: in single quotes, with \ and ' escaped (sed only then: each fork is paid by every click)
    case $a in
        *[\\\']*) a=$(printf '%s' "$a" | sed "s/[\\\\']/\\\\&/g") ;;
    esac
    list="$list${list:+, }'$a'"
done
if [ -n "$bus" ] && command -v gdbus >/dev/null 2>&1; then
    if [ -z "$action" ]; then
        said=$(DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session --dest io.isola.Isola --object-path /io/isola/Isola \
            --method org.freedesktop.Application.Open "[$list]" '{}' 2>&1 >/dev/null) && exit 0
    else
        said=$(DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session --dest io.isola.Isola --object-path /io/isola/Isola \
            --method org.freedesktop.Application.ActivateAction "$action" "[<[$list]>]" '{}' 2>&1 >/dev/null) && exit 0
    fi
    # A call that timed out may still be delivered once the agent starts: opening again here would open twice.
    case $said in
        *Timeout* | *NoReply*)
            echo "isola-open: the Isola agent did not answer in time ($said); it may still open them" >&2
            exit 1 ;;
    esac
fi
view=
[ "$action" = safe-view ] && view=--view
exec "$isola" desktop open $view -- "$@"
