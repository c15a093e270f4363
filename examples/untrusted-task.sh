#!/bin/bash
# An untrusted program, as a stand-in for whatever arrived by mail. It snoops, tries to phone home, tampers with
# the system and tries to stay behind. In an Isola cell each attempt fails, and the cell shows what it could see.
echo "I am $(id -un) (uid $(id -u)) on host '$(hostname)'"
echo "files I can see at /:      $(ls / | tr '\n' ' ')"
echo "homes I can see:           $(ls /home | tr '\n' ' ')"
echo "processes I can see:       $(ls /proc | grep -c '^[0-9]')"
for secret in /etc/shadow /root/.ssh/id_ed25519 /etc/ssh/ssh_host_ed25519_key; do
    if cat "$secret" >/dev/null 2>&1; then echo "stole $secret"; else echo "cannot read $secret"; fi
done
if (echo pwned > /usr/bin/pwned) 2>/dev/null; then echo "planted /usr/bin/pwned"; else echo "cannot write /usr/bin"; fi
if (echo > /dev/tcp/127.0.0.1/22) 2>/dev/null; then echo "reached the host's ssh"; else echo "no network"; fi
echo "network interfaces:        $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
nohup sleep 3600 >/dev/null 2>&1 &
echo "left a process behind (pid $!); it dies with the cell"
echo "scratch file in /tmp:      $(echo hello > /tmp/note && cat /tmp/note) (gone when the cell closes)"
