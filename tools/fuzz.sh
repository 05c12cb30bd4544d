#!/usr/bin/env bash
# fuzz.sh - run `make fuzz`'s libFuzzer targets one after another and sum up.
#
# Usage: tools/fuzz.sh BUILD SECONDS TARGET...
# Each target BUILD/fuzz/TARGET runs for SECONDS from its corpus
# (BUILD/fuzz/corpus/TARGET, seeded by tests/fuzz/corpus/TARGET); its output
# goes to the terminal and to BUILD/fuzz/TARGET.log, its crashes to
# BUILD/fuzz/crashes/TARGET/. A crash does not stop the others. The last
# line: "fuzz: N fuzzers run, N inputs tried, N crashes found"; the exit
# status is 0 only if no target crashed or failed.
set -u

build=$1 seconds=$2
shift 2
runs=0 inputs=0 crashes=0 failed=()

count_files() { find "$1" -maxdepth 1 -type f | wc -l; }

for t in "$@"; do
	crashdir=$build/fuzz/crashes/$t
	log=$build/fuzz/$t.log
	mkdir -p "$build/fuzz/corpus/$t" "$crashdir"
	before=$(count_files "$crashdir")
	echo "fuzz: $t for $seconds s"
	seeds=()
	[ -d "tests/fuzz/corpus/$t" ] && seeds=("tests/fuzz/corpus/$t")
	"$build/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$crashdir/" "$build/fuzz/corpus/$t" "${seeds[@]}" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	runs=$((runs + 1))
	# libFuzzer's final stats: "stat::number_of_executed_units: N"
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	inputs=$((inputs + ${execs:-0}))
	new=$(( $(count_files "$crashdir") - before ))
	crashes=$((crashes + new))
	if [ "$status" -ne 0 ] || [ "$new" -gt 0 ]; then
		failed+=("$t (status $status, $new new file(s) in $crashdir)")
	fi
done

for f in "${failed[@]+"${failed[@]}"}"; do
	echo "fuzz: FAIL $f"
done
echo "fuzz: $runs fuzzers run, $inputs inputs tried, $crashes crashes found"
[ ${#failed[@]} -eq 0 ]
