#!/usr/bin/env bash
# Instructions per request, counted by callgrind, against the baseline in the repository.
#
# Runs `benches/instructions.rs` (gungraun: each contender serves one request of each case of
# `benches/cases/mod.rs` under callgrind; tower-cors's three times, keeping the lowest count, as
# its hash seeds differ between runs), prints the instruction table of docs/performance.md, then compares
# tower-cors's overhead over the bare inner service, case by case, with
# `benches/instructions.baseline`. Exits 1 when a case's overhead grew by more than
# MAX_GROWTH_PCT percent (3) of its baseline value.
#
#   scripts/instructions.sh            # run, print, compare
#   scripts/instructions.sh --update   # run, print, and rewrite the baseline (commit it, and say
#                                      # in the commit message why the counts moved)
#   NO_RUN=1 scripts/instructions.sh   # reuse the counts of the last run
#
# Needs valgrind, python3, and gungraun-runner of the same version as the gungraun library in
# Cargo.toml (`cargo install gungraun-runner --version <it> --locked`). Counts depend on the
# compiler and the dependencies' versions, not on the machine's load.
set -euo pipefail
cd "$(dirname "$0")/.."

update=
case "${1:-}" in
    "") ;;
    --update) update=1 ;;
    *)
        echo "usage: scripts/instructions.sh [--update]" >&2
        exit 2
        ;;
esac

baseline=benches/instructions.baseline
counts="${CARGO_TARGET_DIR:-target}/instructions.jsonl"

for tool in valgrind python3 gungraun-runner; do
    if ! command -v "$tool" >/dev/null; then
        echo "scripts/instructions.sh needs $tool (see the comment at the top of the script)" >&2
        exit 2
    fi
done

if [[ -z "${NO_RUN:-}" ]]; then
    mkdir -p "$(dirname "$counts")"
    # One JSON summary per benchmark on stdout; gungraun's own report goes to stderr.
    cargo bench --bench instructions -- --output-format=json >"$counts.tmp"
    # tower-cors's origin tables are hashed with a seed drawn per process, so a probe now and
    # then meets another entry's tag and compares one key more (a few dozen instructions).
    # Its benchmarks run twice more, and the lowest count of each is kept.
    for _ in 1 2; do
        cargo bench --bench instructions -- --output-format=json '*tower_cors*' >>"$counts.tmp"
    done
    mv "$counts.tmp" "$counts"
fi

COUNTS="$counts" BASELINE="$baseline" UPDATE="$update" MAX_GROWTH_PCT="${MAX_GROWTH_PCT:-3}" \
    python3 - <<'EOF'
import json, os, sys

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
contenders = ["none", "floor", "tower_cors", "tower_http"]

counts = {}
with open(os.environ["COUNTS"]) as f:
    for line in f:
        summary = json.loads(line)
        callgrind = next(p for p in summary["profiles"] if p["tool"] == "Callgrind")
        ir = callgrind["data"]["total"]["metrics"]["Ir"]["values"]["new"]
        key = (summary["id"], summary["function_name"])
        counts[key] = min(int(ir), counts.get(key, int(ir)))
missing = [(c, f) for c, _ in rows for f in contenders if (c, f) not in counts]
if missing:
    sys.exit(f"the benchmark run has no count for {missing}")

def n(x):
    return f"{x:,}"

print("| case | no layer | floor (+) | tower-cors (+) | tower-http (+) | tower-cors / floor | tower-cors / tower-http |")
print("|---|---:|---:|---:|---:|---:|---:|")
overhead = {}
for case, label in rows:
    none, floor, cors, http = (counts[(case, f)] for f in contenders)
    overhead[case] = cors - none
    print(f"| {label} | {n(none)} | {n(floor - none)} | {n(cors - none)} | {n(http - none)} "
          f"| {(cors - none) / (floor - none):.2f}x | {(cors - none) / (http - none):.2f} |")

path = os.environ["BASELINE"]
if os.environ["UPDATE"]:
    with open(path, "w") as f:
        f.write("# Instructions per request under callgrind (benches/instructions.rs), for each case:\n"
                "# the bare inner service, then it behind the floor, tower-cors and tower-http.\n"
                "# Written by `scripts/instructions.sh --update`; the script fails when\n"
                "# tower-cors's overhead (tower_cors - none) grows by more than 3% of its value here.\n")
        f.write(f"{'case':<28}" + "".join(f"{c:>12}" for c in contenders) + "\n")
        for case, _ in rows:
            f.write(f"{case:<28}" + "".join(f"{counts[(case, c)]:>12}" for c in contenders) + "\n")
    print(f"\nwrote {path}")
    sys.exit(0)

base = {}
with open(path) as f:
    for line in f:
        fields = line.split()
        if not fields or line.startswith("#") or fields[0] == "case":
            continue
        base[fields[0]] = dict(zip(contenders, map(int, fields[1:])))

limit = float(os.environ["MAX_GROWTH_PCT"])
print(f"\ntower-cors (+) against {path} (fails above +{limit:g}%):\n")
print("| case | baseline | now | change |")
print("|---|---:|---:|---:|")
failed = []
for case, label in rows:
    if case not in base:
        failed.append(case)
        print(f"| {label} | (none) | {n(overhead[case])} | |")
        continue
    was = base[case]["tower_cors"] - base[case]["none"]
    change = 100.0 * (overhead[case] - was) / was
    mark = " **over**" if change > limit else ""
    if change > limit:
        failed.append(case)
    print(f"| {label} | {n(was)} | {n(overhead[case])} | {change:+.1f}%{mark} |")
if failed:
    print(f"\ninstruction counts grew past the baseline (or have none) for: {', '.join(failed)}.\n"
          "Make them smaller again, or, if the growth is wanted, run "
          "`scripts/instructions.sh --update` and say why in the commit.", file=sys.stderr)
    sys.exit(1)
print("\nno case grew past the baseline")
EOF
