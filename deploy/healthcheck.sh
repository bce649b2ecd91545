#!/bin/sh
# The image's HEALTHCHECK: GET /healthz on this container's API port with bash's /dev/tcp, so no
# node process starts for each check (a cold `node -e` took over 3 s on a loaded machine).
# Exits 0 when the API answers 200 within the HEALTHCHECK's timeout.
exec bash -c 'exec 3<>"/dev/tcp/127.0.0.1/${PORT:-3000}" || exit 1
printf "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3
IFS= read -r status <&3 && case "$status" in *" 200 "*) exit 0 ;; *) exit 1 ;; esac'
