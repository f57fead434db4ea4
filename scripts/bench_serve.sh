#!/usr/bin/env bash
# Load benchmark of `backchannel serve` on loopback: 200 concurrent rooms, 1,000 WebSocket
# connections (2 parties + 3 observers per room); prints p50/p99 submit->notification latency,
# throughput, and the server's group commits (how many, writes per commit, commit time). Not a
# test. Usage: scripts/bench_serve.sh [DATABASE_URL] (default: a fresh SQLite file).
# Environment: ROOMS, OBSERVERS, ROUNDS.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
cargo build --release -q -p backchannel -p bc-server --example bench_client
dir=$(mktemp -d)
db=${1:-sqlite://$dir/rooms.sqlite}
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
BC_SERVE_PROFILE=1 BC_ADMIN_TOKEN=$token target/release/backchannel serve --addr 127.0.0.1:0 --database "$db" --no-demo \
    > "$dir/server.out" 2> "$dir/server.err" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do grep -q listening "$dir/server.out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's|listening on http://||p' "$dir/server.out")
echo "server at $addr on ${db%%://*} (load average $(cut -d' ' -f1-3 /proc/loadavg))"
target/release/examples/bench_client "$addr" "$token" "${ROOMS:-200}" "${OBSERVERS:-3}" "${ROUNDS:-20}"
grep '^commit ' "$dir/server.err" | awk '{print $4, $2}' | sort -g | awk '
    {t[NR] = $1; w += $2} END {
        if (NR) printf "group commits: %d, %.1f writes per commit, commit time p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
            NR, w / NR, t[int((NR - 1) * 0.5) + 1], t[int((NR - 1) * 0.99) + 1], t[NR] }'
grep -v '^commit ' "$dir/server.err" >&2 || true
