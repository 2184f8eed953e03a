#!/usr/bin/env bash
# Fill a deploy/ template's @NAME@ placeholders from the environment and print it; an unset name is an error.
#   set -a; . /etc/smevoucher/env; set +a
#   deploy/render.sh deploy/nginx/smevoucher.conf > /etc/nginx/sites-available/smevoucher
# A few values are derived when not given: UPSTREAM_SERVERS from APP_SERVERS, READYZ_ALLOW from OPS_NETWORKS,
# HTTPS_PORT_SUFFIX from HTTPS_LISTEN.
set -euo pipefail
template="$1"

if [ -z "${UPSTREAM_SERVERS:-}" ] && [ -n "${APP_SERVERS:-}" ]; then
  UPSTREAM_SERVERS=""
  for server in $APP_SERVERS; do
    UPSTREAM_SERVERS+="server $server max_fails=2 fail_timeout=10s; "
  done
fi
if [ -z "${READYZ_ALLOW:-}" ] && [ -n "${OPS_NETWORKS:-}" ]; then
  READYZ_ALLOW=""
  for network in ${OPS_NETWORKS//,/ }; do READYZ_ALLOW+="allow $network; "; done
fi
if [ -z "${HTTPS_PORT_SUFFIX+set}" ]; then
  port="${HTTPS_LISTEN##*:}"
  if [ "$port" = "443" ] || [ -z "$port" ]; then HTTPS_PORT_SUFFIX=""; else HTTPS_PORT_SUFFIX=":$port"; fi
fi
export UPSTREAM_SERVERS READYZ_ALLOW HTTPS_PORT_SUFFIX

missing=0
for name in $(grep -o '@[A-Z_][A-Z0-9_]*@' "$template" | sort -u | tr -d @); do
  if [ "$name" = "LIKE_THIS" ]; then continue; fi
  if [ -z "${!name+set}" ]; then echo "render.sh: $name is not set" >&2; missing=1; fi
done
[ "$missing" = 0 ] || exit 1

# Replace each placeholder with its value (values may hold / ; : and spaces, never a newline).
awk '
  {
    line = $0
    while (match(line, /@[A-Z_][A-Z0-9_]*@/)) {
      name = substr(line, RSTART + 1, RLENGTH - 2)
      value = (name == "LIKE_THIS") ? "@LIKE_THIS@" : ENVIRON[name]
      out = out substr(line, 1, RSTART - 1) value
      line = substr(line, RSTART + RLENGTH)
    }
    print out line
    out = ""
  }
' "$template"
