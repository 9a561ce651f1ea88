#!/bin/bash
# Container health check: GET <base path>/salut on the local port and succeed only on a 200.
#
# Written for bash's /dev/tcp so that the slim image needs no curl (curl would bring libcurl
# with its TLS, LDAP, Kerberos and SSH libraries just to make one loopback request).
# It reads the same variables as `xmess-kb serve`, so changing the port or the base path
# cannot leave the check asking the wrong URL.
set -u

addr="${XMESS_KB_ADDR:-127.0.0.1:8080}"
port="${addr##*:}"                     # works for 0.0.0.0:8080 and [::]:8080 alike
path="${XMESS_KB_BASE_PATH:-}"
# Without a base path, serve takes it from the public URL's path: so does the check.
if [ -z "$path" ] && [ -n "${XMESS_KB_PUBLIC_URL:-}" ]; then
    rest="${XMESS_KB_PUBLIC_URL#*://}"
    case "$rest" in */*) path="/${rest#*/}" ;; esac
fi
path="${path%/}/salut"

# The server may listen on 0.0.0.0 or [::]; loopback reaches it either way.
{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null \
    || { echo "unhealthy: nothing listens on 127.0.0.1:${port}" >&2; exit 1; }
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
# A server that accepts but never answers must fail the check, not hang it.
IFS= read -r -t 4 status <&3 || { echo "unhealthy: no answer from ${path} within 4 s" >&2; exit 1; }
exec 3<&-

case "$status" in
    "HTTP/1."?" 200 "*) exit 0 ;;
    *) echo "unhealthy: ${path} answered: ${status%$'\r'}" >&2; exit 1 ;;
esac
