#!/usr/bin/env bash
# HTTP load on loopback against the release `roster` binary, from a separate process (wrk):
#   1. GraphQL `users(first: 50)` (admin) and `me`: requests/s and latency percentiles;
#   2. the same `users(first: 50)` while a login flood (unknown users, so every attempt runs
#      argon2 against the dummy hash) saturates password hashing: its p99 must stay low;
#   3. the server's peak RSS with USERS users.
# Usage: scripts/bench-http.sh   (USERS=100000 DURATION=10s CONNECTIONS=32 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-100000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q -p roster-api
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

./target/release/roster bench populate --users "$USERS" --file "$work/events.db" \
  --admin-username benchadmin --admin-password bench-password-1 >&2
ROSTER_STORE="sqlite://$work/events.db" ROSTER_BIND="127.0.0.1:$PORT" RUST_LOG=warn \
  ./target/release/roster >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
idle_rss=$(grep -oP 'VmRSS:\s+\K\d+' "/proc/$server/status")
token=$(curl -fs -X POST "$BASE/api/auth/login" -H 'content-type: application/json' \
  -d '{"username":"benchadmin","password":"bench-password-1"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

graphql_script() { # $1: query text
  cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = [[{"query":"$1"}]]
LUA
}
graphql_script '{ users(first: 50) { totalCount edges { node { id username displayName email isAdmin createdAt stats { personas activeSessions apiKeys } } } } }' >"$work/users.lua"
graphql_script '{ me { id username isAdmin } }' >"$work/me.lua"
cat >"$work/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = string.format('{"username":"nobody%d","password":"wrong-password"}', math.random(1, 1000000000))
  return wrk.format(nil, "/api/auth/login", nil, body)
end
LUA

# Prints "requests_per_s p50_ms p99_ms" from wrk's --latency report.
summarise() {
  python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50, p99 = ms("50%"), ms("99%")
print(f"{rps:.0f} {p50:.2f} {p99:.2f}")'
}
run_wrk() { # $1: script, $2: path
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$1" "$BASE$2" | summarise
}

read -r users_rps users_p50 users_p99 < <(run_wrk "$work/users.lua" /graphql)
read -r me_rps me_p50 me_p99 < <(run_wrk "$work/me.lua" /graphql)
wrk -t1 -c16 -d"$DURATION" -s "$work/flood.lua" "$BASE" >"$work/flood.txt" &
flood=$!
sleep 1
read -r flood_users_rps flood_users_p50 flood_users_p99 < <(run_wrk "$work/users.lua" /graphql)
wait "$flood"
logins_per_s=$(grep -oP 'Requests/sec:\s+\K[\d.]+' "$work/flood.txt")
rss=$(grep -oP 'VmHWM:\s+\K\d+' "/proc/$server/status")

echo "{\"bench\":\"http\",\"users\":$USERS,\"connections\":$CONNECTIONS,\"duration\":\"$DURATION\",\
\"users_first50_rps\":$users_rps,\"users_first50_p50_ms\":$users_p50,\"users_first50_p99_ms\":$users_p99,\
\"me_rps\":$me_rps,\"me_p50_ms\":$me_p50,\"me_p99_ms\":$me_p99,\
\"during_login_flood\":{\"failed_logins_per_s\":$logins_per_s,\"users_first50_rps\":$flood_users_rps,\"users_first50_p50_ms\":$flood_users_p50,\"users_first50_p99_ms\":$flood_users_p99},\
\"server_rss_after_start_kib\":$idle_rss,\"server_peak_rss_kib\":$rss}"
