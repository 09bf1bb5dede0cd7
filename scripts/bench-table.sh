#!/usr/bin/env bash
# The per-request table of docs/performance.md, produced from a benchmark run: runs `benches/cors.rs`
# (criterion) and the allocation counts of `tests/alloc.rs`, then prints one Markdown table
# with, for each case, the median time of the bare inner service; the overhead over it of the
# floor (the least work that sends the same headers), tower-cors and tower-http; the ratios;
# and the allocations per request.
#
#   scripts/bench-table.sh                 # runs the benchmarks, then prints the table
#   NO_RUN=1 scripts/bench-table.sh        # the table from the last benchmark run (the
#                                          # allocation counts are measured again)
#
# Knobs (environment): WARMUP seconds per benchmark (1), MEASURE seconds per benchmark (3).
# Needs python3 (to read criterion's JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null; then
    echo "scripts/bench-table.sh needs python3: install it with 'apt-get install python3'" >&2
    exit 1
fi

if [[ -z "${NO_RUN:-}" ]]; then
    cargo bench --bench cors -- --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" \
        --noplot >&2
fi

if ! alloc_output=$(cargo test --quiet --release --test alloc -- --nocapture \
    tower_cors_never_allocates_more_than_tower_http); then
    echo "the allocation counts failed: see 'cargo test --release --test alloc -- --nocapture'" >&2
    exit 1
fi
allocations=$(grep -E '^[a-z_0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' <<<"$alloc_output") || {
    echo "tests/alloc.rs printed no allocation counts" >&2
    exit 1
}

ALLOCATIONS="$allocations" python3 - <<'EOF'
import json, os, pathlib

root = pathlib.Path(os.environ.get("CARGO_TARGET_DIR") or "target") / "criterion"
rows = [
    ("get_allowed_origin", "GET, allowed origin"),
    ("preflight", "preflight PUT, content-type + x-custom"),
    ("preflight_mirrored_headers", "preflight, request headers mirrored"),
    ("preflight_browser_headers", "preflight, with a browser's other headers"),
    ("get_no_origin", "GET, no `Origin`"),
    ("get_disallowed_origin", "GET, disallowed origin"),
    ("origins_3", "GET, 3 exact origins"),
    ("origins_1000", "GET, 1,000 exact origins"),
    ("origins_100000", "GET, 100,000 exact origins"),
    ("patterns_1", "GET, 1 subdomain pattern"),
    ("patterns_1000", "GET, 1,000 subdomain patterns"),
]
allocs = {}
for line in os.environ["ALLOCATIONS"].splitlines():
    name, none, cors, http = line.split()
    allocs[name] = (int(none), int(cors), int(http))

def median_ns(group, function):
    path = root / group / function / "new" / "estimates.json"
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]

def fmt(ns):
    return f"{ns:,.0f} ns" if abs(ns) >= 10 else f"{ns:.1f} ns"

print("| case | no layer | floor (+) | tower-cors (+) | tower-http (+) | tower-cors / tower-http | tower-cors / floor | allocations: none / tower-cors / tower-http |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for group, label in rows:
    none = median_ns(group, "none")
    floor = median_ns(group, "floor") - none
    cors = median_ns(group, "tower-cors") - none
    http = median_ns(group, "tower-http") - none
    ratio = f"{cors / http:.2f}" if http > 0 else "n/a"
    over_floor = f"{cors / floor:.1f}x" if floor > 0 else "n/a"
    a = allocs.get(group)
    a = f"{a[0]} / {a[1]} / {a[2]}" if a else "?"
    print(f"| {label} | {fmt(none)} | {fmt(floor)} | {fmt(cors)} | {fmt(http)} | {ratio} | {over_floor} | {a} |")
EOF
