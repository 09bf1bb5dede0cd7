#!/usr/bin/env bash
# End-to-end load test on loopback: examples/load_server.rs (hyper, one thread) serving the
# benchmarks' inner service bare, behind tower-cors and behind tower-http, driven by wrk. The
# server times a fixed number of requests after a warm-up (wall clock and its own CPU time) and
# exits; this script prints requests/s and server CPU time per request for each: the best
# round (the least disturbed by anything else on the machine) and the median.
#
#   scripts/load.sh                       # GET with an allowed Origin
#   CASE=preflight scripts/load.sh        # CORS preflights
#   CASE=no-origin scripts/load.sh        # GET without Origin
#
# Knobs (environment): REQUESTS timed per run (200000), WARMUP requests before them (20000),
# CONNECTIONS (32), ROUNDS (5), PORT (38080: the first of the ports used; each run takes the
# next one, because binding the previous run's port right after its server exited sometimes
# failed with "address in use").
# Needs wrk (`apt-get install wrk`) and curl.
set -euo pipefail

CASE=${CASE:-allowed}
REQUESTS=${REQUESTS:-200000}
WARMUP=${WARMUP:-20000}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-5}
PORT=${PORT:-38080}
MAX_SECONDS=120

for tool in wrk curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "scripts/load.sh needs $tool: install it with 'apt-get install $tool'" >&2
        exit 1
    fi
done

cd "$(dirname "$0")/.."
cargo build --quiet --release --example load_server
server=target/release/examples/load_server
port=$((PORT - 1))
url=
work=$(mktemp -d)
pid=
wrk_pid=
cleanup() {
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
    if [[ -n "$wrk_pid" ]]; then kill "$wrk_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

origin="https://app2.example.com"
case "$CASE" in
    allowed)
        method=GET
        lua_headers="wrk.headers[\"Origin\"] = \"$origin\""
        curl_args=(-H "Origin: $origin")
        ;;
    preflight)
        method=OPTIONS
        lua_headers="wrk.headers[\"Origin\"] = \"$origin\"
wrk.headers[\"Access-Control-Request-Method\"] = \"PUT\"
wrk.headers[\"Access-Control-Request-Headers\"] = \"content-type,x-custom\""
        curl_args=(-X OPTIONS -H "Origin: $origin" -H "Access-Control-Request-Method: PUT"
            -H "Access-Control-Request-Headers: content-type,x-custom")
        ;;
    no-origin)
        method=GET
        lua_headers=""
        curl_args=()
        ;;
    *)
        echo "CASE is allowed, preflight or no-origin" >&2
        exit 1
        ;;
esac

cat >"$work/request.lua" <<EOF
wrk.method = "$method"
$lua_headers
EOF

start_server() {
    port=$((port + 1))
    url="http://127.0.0.1:$port/items/1"
    "$server" "$1" "127.0.0.1:$port" --requests "$REQUESTS" --warmup "$WARMUP" \
        --lifetime "$MAX_SECONDS" >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        if grep -q "listening on" "$work/server.log"; then return 0; fi
        sleep 0.05
    done
    echo "load_server $1 did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

check_headers() {
    local contender=$1 headers
    headers=$(curl -s -o /dev/null -D - "${curl_args[@]}" "$url" | tr -d '\r')
    local grant=no
    if grep -qi "^access-control-allow-origin: $origin" <<<"$headers"; then grant=yes; fi
    local expected=yes
    if [[ "$contender" == none || "$CASE" == no-origin ]]; then expected=no; fi
    if [[ "$grant" != "$expected" ]]; then
        echo "$contender: unexpected answer to the $CASE request:" >&2
        echo "$headers" >&2
        exit 1
    fi
}

contenders=(none tower-cors tower-http)
declare -A rps cpu
for round in $(seq "$ROUNDS"); do
    for contender in "${contenders[@]}"; do
        start_server "$contender"
        # The check's request counts towards the warm-up.
        check_headers "$contender"
        wrk -t1 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" -s "$work/request.lua" "$url" \
            >"$work/wrk.log" 2>&1 &
        wrk_pid=$!
        wait "$pid" || { cat "$work/server.log" >&2; exit 1; }
        pid=
        kill "$wrk_pid" 2>/dev/null || true
        wait "$wrk_pid" 2>/dev/null || true
        wrk_pid=
        line=$(grep '^RESULT' "$work/server.log") || { cat "$work/server.log" >&2; exit 1; }
        read -r sent seconds cpu_seconds < <(sed -E 's/RESULT //; s/[a-z_]+=//g' <<<"$line")
        rps[$contender]+="$(awk -v n="$sent" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') "
        cpu[$contender]+="$(awk -v n="$sent" -v c="$cpu_seconds" 'BEGIN { printf "%.4f", c / n * 1e6 }') "
        echo "round $round: $contender $line" >&2
    done
done

sorted() { tr ' ' '\n' <<<"$1" | grep . | sort -g; }
median() { sorted "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
best_rps() { sorted "$1" | tail -n 1; }
best_cpu() { sorted "$1" | head -n 1; }

echo
echo "Load test: $CASE, $REQUESTS requests timed per run after $WARMUP, $CONNECTIONS connections, $ROUNDS rounds (contenders taking turns)"
echo "(server: hyper HTTP/1.1, one thread; load: wrk, one thread; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo
printf '| %-10s | %16s | %8s | %18s | %8s | %23s | %8s |\n' "layer" "best requests/s" "vs none" "median requests/s" "vs none" "best server CPU µs/req" "vs none"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------------" "------------------" "----------" "--------------------" "----------" "-------------------------" "----------"
for contender in "${contenders[@]}"; do
    awk -v name="$contender" \
        -v b="$(best_rps "${rps[$contender]}")" -v bb="$(best_rps "${rps[none]}")" \
        -v m="$(median "${rps[$contender]}")" -v mb="$(median "${rps[none]}")" \
        -v c="$(best_cpu "${cpu[$contender]}")" -v cb="$(best_cpu "${cpu[none]}")" 'BEGIN {
        printf "| %-10s | %16.0f | %+7.1f%% | %18.0f | %+7.1f%% | %23.2f | %+7.1f%% |\n", name, b, (b / bb - 1) * 100, m, (m / mb - 1) * 100, c, (c / cb - 1) * 100
    }'
done
