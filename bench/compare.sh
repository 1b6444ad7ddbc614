#!/usr/bin/env bash
# bench/compare.sh (or `make bench`): dorgu-gen against the pipeline a user
# would assemble from existing tools, `cue export` followed by
# `conftest test`, on the same work. From a fresh clone it
#
#   1. builds dorgu-gen and two helpers (bench/genfleet, bench/split), and
#      installs the pinned cue CLI (the cuelang.org/go version of go.mod)
#      and conftest with `go install` into bench/.tools (gitignored);
#   2. generates the fleets (bench/fleet): the default stack over 1, 100 and
#      1000 clusters cycling through the environments and providers;
#   3. checks once per size that both sides do the same work: the files
#      cue exports equal dorgu-gen's (comments aside) and conftest reports
#      the same openobserve-credentials warnings as dorgu-gen;
#   4. measures RUNS runs of each command (median wall time, median CPU
#      time, peak RSS) and prints one table. dorgu-gen renders cold (no
#      cache: the same work as the other side), with a warm cache into an
#      empty directory, and with a warm cache into an up-to-date directory
#      (a hook or a CI check re-run on unchanged sources).
#
# The cue side: `cue export` of schema/, components/, the fleet's dorgu.cue
# and bench/cue/export.cue (which builds every cluster's Applications and
# values with comprehensions) as one JSON object keyed by file path, split
# into the scaffold's YAML files by bench/split, then `conftest test
# --combine` with bench/conftest-policy (the policies of policies/,
# translated). Its time is the whole pipeline's; its peak is the largest
# peak of its processes.
#
# Environment: RUNS (default 7) runs per command at 1 and 100 clusters,
# BIG_RUNS (default 1) runs of render at 1000 clusters, BIG=0 skips it.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
tools=$root/bench/.tools
RUNS=${RUNS:-7}
BIG=${BIG:-1}
BIG_RUNS=${BIG_RUNS:-1}
CONFTEST_VERSION=${CONFTEST_VERSION:-v0.71.1}
CUE_VERSION=$(go list -m -f '{{.Version}}' cuelang.org/go)

say() { printf '%s\n' "$*" >&2; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# GNU time for the peak RSS.
if ! /usr/bin/time -v true >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "installing GNU time"
		apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
	else
		say "bench/compare.sh needs GNU time at /usr/bin/time (apt-get install time)"
		exit 2
	fi
fi

mkdir -p "$tools"
say "building dorgu-gen and the helpers"
go build -o "$tools/dorgu-gen" ./cmd/dorgu-gen
go build -o "$tools/genfleet" ./bench/genfleet
go build -o "$tools/split" ./bench/split

# go install only when the stamp says another version (or nothing) is there.
install() { # name module version
	local stamp=$tools/.$1.version
	if [ -x "$tools/$1" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$3" ]; then
		return
	fi
	say "installing $2@$3 into bench/.tools (a few minutes the first time)"
	GOBIN=$tools go install "$2@$3"
	echo "$3" >"$stamp"
}
install cue cuelang.org/go/cmd/cue "$CUE_VERSION"
install conftest github.com/open-policy-agent/conftest "$CONFTEST_VERSION"

dg=$tools/dorgu-gen
cue=$tools/cue
conftest=$tools/conftest

work=$(mktemp -d "${TMPDIR:-/tmp}/dorgu-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The commands measured, as bash command lines over $fleet and $out. Cold
# runs have no cache (DORGU_CACHE=off): they evaluate the CUE and compile
# and run the policies. Warm runs find the plan and the findings of the
# same sources in the cache ($work/cache, filled by a run before the
# measured ones), as a re-run of a hook or a CI check does.
cache=$work/cache
render_cmd='DORGU_CACHE=off "$dg" render --config "$fleet/dorgu.cue" --out "$out" 2>/dev/null'
render_warm_cmd='DORGU_CACHE="$cache" "$dg" render --config "$fleet/dorgu.cue" --out "$out" 2>/dev/null'
cue_cmd='set -o pipefail; "$cue" export "$root"/schema/*.cue "$root"/components/*.cue "$fleet/dorgu.cue" "$root/bench/cue/export.cue" -e "#files" --out json | "$tools/split" -o "$out" && cd "$out" && "$conftest" test --combine --no-color -p "$root/bench/conftest-policy" argocd clusters >/dev/null'
version_cmd='"$dg" version >/dev/null'
vet_cmd='DORGU_CACHE=off "$dg" vet --config "$fleet/dorgu.cue" --out "$out" >/dev/null 2>&1'
vet_warm_cmd='DORGU_CACHE="$cache" "$dg" vet --config "$fleet/dorgu.cue" --out "$out" >/dev/null 2>&1'
export dg cue conftest tools root cache

# run_once CMD FLEET [OUT]: run CMD once in a fresh output directory, or in
# OUT, which is kept; prints "wall_ms cpu_s peak_kib". A fresh output
# directory is removed after.
run_once() {
	local out=${3:-$work/out} tf=$work/time
	[ -n "${3:-}" ] || rm -rf "$out"
	local t0 t1
	t0=$(date +%s%N)
	fleet=$2 out=$out /usr/bin/time -o "$tf" -f '%U %S %M %x' bash -c "$1"
	t1=$(date +%s%N)
	read -r u s m x <"$tf"
	if [ "$x" != 0 ]; then
		say "command failed (exit $x): $1"
		exit 1
	fi
	[ -n "${3:-}" ] || rm -rf "$out"
	awk -v w=$(((t1 - t0) / 1000)) -v u="$u" -v s="$s" -v m="$m" 'BEGIN { printf "%.1f %.2f %d\n", w / 1000, u + s, m }'
}

# measure LABEL RUNS CMD FLEET [OUT]: median wall, median CPU, max peak.
declare -A wall cpu peak spread
measure() {
	local label=$1 n=$2 cmd=$3 fleet=$4 keep=${5:-} i
	: >"$work/samples"
	for ((i = 0; i < n; i++)); do
		run_once "$cmd" "$fleet" "$keep" >>"$work/samples"
	done
	wall[$label]=$(cut -d' ' -f1 "$work/samples" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	spread[$label]=$(cut -d' ' -f1 "$work/samples" | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s–%s", lo, hi}')
	cpu[$label]=$(cut -d' ' -f2 "$work/samples" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	peak[$label]=$(cut -d' ' -f3 "$work/samples" | sort -n | tail -1)
	say "  $label: median ${wall[$label]} ms over $n runs (${spread[$label]}), CPU ${cpu[$label]} s, peak $(mib "${peak[$label]}") MiB"
}

# check N: both sides produce the same documents and findings.
check() {
	local fleet=$work/fleet-$1 a=$work/check-dg b=$work/check-cue
	DORGU_CACHE=off "$dg" render --config "$fleet/dorgu.cue" --out "$a" 2>"$work/dg.err"
	"$cue" export "$root"/schema/*.cue "$root"/components/*.cue "$fleet/dorgu.cue" "$root/bench/cue/export.cue" -e '#files' --out json | "$tools/split" -o "$b"
	if ! diff -r -q -I '^#' -x README.md -x .dorgu "$a" "$b" >/dev/null; then
		say "$1 clusters: cue export and dorgu-gen render differ:"
		diff -r -I '^#' -x README.md -x .dorgu "$a" "$b" | head -40 >&2
		exit 1
	fi
	local rc=0
	(cd "$b" && "$conftest" test --combine --no-color -p "$root/bench/conftest-policy" argocd clusters) >"$work/conftest.out" 2>&1 || rc=$?
	local want got
	want=$(grep -c 'warning openobserve-credentials' "$work/dg.err" || true)
	got=$(grep -c '^WARN.*openobserve-credentials' "$work/conftest.out" || true)
	if [ "$rc" != 0 ] || [ "$want" != "$got" ]; then
		say "$1 clusters: conftest exited $rc with $got openobserve warnings, dorgu-gen reported $want:"
		grep -v '^WARN' "$work/conftest.out" | head -20 >&2
		exit 1
	fi
	say "$1 clusters: same $(find "$b" -type f | wc -l) files from both sides, $got openobserve-credentials warnings each"
	rm -rf "$a" "$b"
}

sizes=(1 100)
[ "$BIG" = 1 ] && sizes+=(1000)
for n in "${sizes[@]}"; do
	mkdir -p "$work/fleet-$n"
	"$tools/genfleet" -clusters "$n" >"$work/fleet-$n/dorgu.cue"
done

has_vet=0
"$dg" vet --help >/dev/null 2>&1 && has_vet=1

read -r load1 _ </proc/loadavg
say "load average before: $load1 ($(nproc) CPUs)"
for n in 1 100; do
	check "$n"
done

say "measuring ($RUNS runs each)"
measure version "$RUNS" "$version_cmd" "$work/fleet-1"
for n in 1 100; do
	fleet=$work/fleet-$n
	measure "render-$n" "$RUNS" "$render_cmd" "$fleet"
	# Fill the cache, then render with it into a fresh directory each
	# time, and again into an up-to-date one (nothing to write).
	DORGU_CACHE=$cache "$dg" render --config "$fleet/dorgu.cue" --out "$work/kept-$n" 2>/dev/null
	measure "warm-$n" "$RUNS" "$render_warm_cmd" "$fleet"
	measure "rerun-$n" "$RUNS" "$render_warm_cmd" "$fleet" "$work/kept-$n"
	measure "cue-$n" "$RUNS" "$cue_cmd" "$fleet"
done
if [ "$has_vet" = 1 ]; then
	# vet and render on the same up-to-date scaffold, both ways.
	measure rerun-cold-100 "$RUNS" "$render_cmd" "$work/fleet-100" "$work/kept-100"
	measure vet-100 "$RUNS" "$vet_cmd" "$work/fleet-100" "$work/kept-100"
	DORGU_CACHE=$cache "$dg" vet --config "$work/fleet-100/dorgu.cue" --out "$work/kept-100" >/dev/null 2>&1
	measure vet-warm-100 "$RUNS" "$vet_warm_cmd" "$work/fleet-100" "$work/kept-100"
fi
if [ "$BIG" = 1 ]; then
	measure render-1000 "$BIG_RUNS" "$render_cmd" "$work/fleet-1000"
fi
read -r load2 _ </proc/loadavg

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
row() { # label what n
	printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$3" "${wall[$1]}" "${spread[$1]}" "${cpu[$1]}" "$(mib "${peak[$1]}")"
}

echo
echo "dorgu-gen $("$dg" version | awk '{print $2}'), cue $CUE_VERSION, conftest $CONFTEST_VERSION; $(nproc) CPUs; load average $load1 before, $load2 after"
echo
echo '| command | runs | median wall (ms) | min–max (ms) | median CPU (s) | peak RSS (MiB) |'
echo '|---|---|---|---|---|---|'
row version 'dorgu-gen version' "$RUNS"
for n in 1 100; do
	row "render-$n" "dorgu-gen render, $n cluster(s), cold (no cache), empty output" "$RUNS"
	row "warm-$n" "dorgu-gen render, $n cluster(s), warm cache, empty output" "$RUNS"
	row "rerun-$n" "dorgu-gen render, $n cluster(s), warm cache, output up to date" "$RUNS"
	row "cue-$n" "cue export + split + conftest test, $n cluster(s)" "$RUNS"
done
if [ "$has_vet" = 1 ]; then
	row rerun-cold-100 'dorgu-gen render, 100 clusters, cold, output up to date' "$RUNS"
	row vet-100 'dorgu-gen vet, 100 clusters, cold, up to date' "$RUNS"
	row vet-warm-100 'dorgu-gen vet, 100 clusters, warm cache, up to date' "$RUNS"
fi
[ "$BIG" = 1 ] && row render-1000 'dorgu-gen render, 1000 clusters, cold, empty output' "$BIG_RUNS"
echo
echo '| ratio | cold | warm cache | warm, up to date | target |'
echo '|---|---|---|---|---|'
for n in 1 100; do
	echo "| $n cluster(s): cue export + conftest ÷ dorgu-gen render (wall) | $(ratio "${wall[cue-$n]}" "${wall[render-$n]}") | $(ratio "${wall[cue-$n]}" "${wall[warm-$n]}") | $(ratio "${wall[cue-$n]}" "${wall[rerun-$n]}") | ≥ 4× |"
done
echo "| 1 cluster: dorgu-gen render ÷ dorgu-gen version (wall) | $(ratio "${wall[render-1]}" "${wall[version]}") | $(ratio "${wall[warm-1]}" "${wall[version]}") | $(ratio "${wall[rerun-1]}" "${wall[version]}") | < 2× |"
echo "| 100 clusters: dorgu-gen render peak RSS (MiB) | $(mib "${peak[render-100]}") | $(mib "${peak[warm-100]}") | $(mib "${peak[rerun-100]}") | < 150 MiB |"
if [ "$BIG" = 1 ]; then
	echo "| 1000 ÷ 100 clusters: dorgu-gen render (wall) | $(ratio "${wall[render-1000]}" "${wall[render-100]}") | | | ≤ 12× |"
	echo "| 1000 clusters: dorgu-gen render peak RSS (MiB) | $(mib "${peak[render-1000]}") | | | < 400 MiB |"
fi
if [ "$has_vet" = 1 ]; then
	echo "| 100 clusters, up to date: dorgu-gen vet ÷ render (wall) | $(ratio "${wall[vet-100]}" "${wall[rerun-cold-100]}") | | $(ratio "${wall[vet-warm-100]}" "${wall[rerun-100]}") | ≤ 1× |"
else
	echo "| 100 clusters: dorgu-gen vet ÷ render | n/a: this dorgu-gen has no vet command | | | ≤ 1× |"
fi
