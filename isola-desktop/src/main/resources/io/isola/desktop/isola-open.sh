#!/bin/sh
# Isola's desktop launcher, written by `isola desktop install`: what a double-click, a desktop action or xdg-open
# runs (the Exec line of io.isola.Isola.desktop). It starts no JVM: dbus-send, libdbus's small client, hands the files
# and links to the Isola agent on the session bus (io.isola.Isola.OpenInCells), and the bus starts the agent on its
# first use. The agent sends each to the Isola service, and a notification says what was refused or kept.
# dbus-send takes 2-4 ms where gdbus takes 9-12, but writes no comma inside a name, no invalid UTF-8, and no a{sv}:
# for such names (or an agent of an older Isola) gdbus calls the freedesktop methods (org.freedesktop.Application).
# Without a session bus (or either client), `isola desktop open` does the same in a JVM of its own.
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
plain=
fast=yes
for a in "$@"; do
    case $a in
        *://* | /*) ;;
        *) a=$PWD/$a ;;
    esac
    case $a in
        *"
"*) bus= ;; # a newline cannot be written in a GVariant string here: the JVM path takes it
    esac
    # dbus-send's array: comma-separated, no escape; its UTF-8 check aborts it (iconv forks, so only for non-ASCII)
    case $a in
        *,*) fast= ;;
        *[!\ -~]*) printf '%s' "$a" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || fast= ;;
    esac
    plain="$plain${plain:+,}$a"
    # a GVariant string: in single quotes, with \ and ' escaped (sed only then: each fork is paid by every click)
    case $a in
        *[\\\']*) a=$(printf '%s' "$a" | sed "s/[\\\\']/\\\\&/g") ;;
    esac
    list="$list${list:+, }'$a'"
done
gave_up() {
    # A call that timed out may still be delivered once the agent starts: opening again here would open twice.
    case $said in
        *Timeout* | *NoReply*)
            echo "isola-open: the Isola agent did not answer in time ($said); it may still open them" >&2
            exit 1 ;;
    esac
}
if [ -n "$bus" ] && [ -n "$fast" ] && command -v dbus-send >/dev/null 2>&1; then
    method=OpenInCells
    [ "$action" = safe-view ] && method=SafeView
    said=$(DBUS_SESSION_BUS_ADDRESS=$bus dbus-send --session --dest=io.isola.Isola --print-reply --reply-timeout=25000 \
        /io/isola/Isola io.isola.Isola.$method "array:string:$plain" 2>&1 >/dev/null) && exit 0
    gave_up
fi
if [ -n "$bus" ] && command -v gdbus >/dev/null 2>&1; then
    if [ -z "$action" ]; then
        said=$(DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session --dest io.isola.Isola --object-path /io/isola/Isola \
            --method org.freedesktop.Application.Open "[$list]" '{}' 2>&1 >/dev/null) && exit 0
    else
        said=$(DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session --dest io.isola.Isola --object-path /io/isola/Isola \
            --method org.freedesktop.Application.ActivateAction "$action" "[<[$list]>]" '{}' 2>&1 >/dev/null) && exit 0
    fi
    gave_up
fi
view=
[ "$action" = safe-view ] && view=--view
exec "$isola" desktop open $view -- "$@"
