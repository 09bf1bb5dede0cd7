#!/usr/bin/env bash
# What each Cargo feature of tower-cors costs a crate that depends on it: a new crate whose only
# dependency is tower-cors with that feature (or tower-http with `cors`, for comparison), built
# from a clean target directory with `cargo build --release --timings` and then without
# `--release`. Prints a Markdown table: the whole build, and tower-cors's own unit. Run it on an
# idle machine; the figures are wall-clock seconds.
#
#   scripts/build-times.sh            every row
#   scripts/build-times.sh "" serde   the rows named (feature lists, comma-separated)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=("" serde tracing watch tower-http)

# The seconds of the whole build and of one unit, from the --timings report.
timing() {
  python3 - "$1" "$2" <<'PY'
import glob, json, re, sys
report = sorted(glob.glob(sys.argv[1] + "/cargo-timings/cargo-timing-*.html"))[-1]
text = open(report, encoding="utf-8").read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);", text, re.S).group(1))
total = re.search(r"<td>Total time:</td><td>([0-9.]+)s", text).group(1)
own = sum(u["duration"] for u in units if u["name"] == sys.argv[2])
print(f"{float(total):.1f} {own:.1f}")
PY
}

echo "| features | release: total (tower-cors) | debug: total (tower-cors) |"
echo "|---|---|---|"
for row in "${rows[@]}"; do
  crate="$work/probe"
  rm -rf "$crate"
  mkdir -p "$crate/src"
  : >"$crate/src/lib.rs"
  if [ "$row" = tower-http ]; then
    dep='tower-http = { version = "0.7", features = ["cors"] }'
    unit=tower-http
  else
    features=$(printf '%s' "$row" | sed 's/[^,][^,]*/"&"/g')
    dep="tower-cors = { path = \"$root\", features = [$features] }"
    unit=tower-cors
  fi
  printf '[package]\nname = "probe"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n%s\n' \
    "$dep" >"$crate/Cargo.toml"
  # The versions tower-cors's own lock file chose, so that the rows build the same code.
  cp "$root/Cargo.lock" "$crate/Cargo.lock"
  (cd "$crate" && cargo build -q --release --timings >/dev/null 2>&1)
  read -r rel rel_own < <(timing "$crate/target" "$unit")
  rm -rf "$crate/target"
  (cd "$crate" && cargo build -q --timings >/dev/null 2>&1)
  read -r dbg dbg_own < <(timing "$crate/target" "$unit")
  label=${row:-(none)}
  [ "$row" = tower-http ] && label="tower-http \`cors\`"
  echo "| $label | $rel s ($unit $rel_own s) | $dbg s ($unit $dbg_own s) |"
done
