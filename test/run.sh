#!/bin/bash
# Runs the unit suites (test/unit), the fuzz targets briefly (test/fuzz)
# and the system tests (test/system/<name>/: real kamailio, sipp,
# rtpengine, phones, tools), then prints one summary line "N passed, N
# failed, N skipped". A system test that exits 77 (the harness's skip)
# cannot run on this system: it is counted as skipped, with the reason it
# printed.
#   test/run.sh            everything
#   test/run.sh NAME       one unit suite, fuzz, or one system test
# SAN=1 builds and runs the unit suites with ASan+UBSan.
# Logs of a failed system test stay in build/test/<name>/.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
only=${1:-}
passed=0
failed=0
skipped=0
failed_names=()

# unit suites: one result per check
if [ -z "$only" ] || [ -f "$TOP/test/unit/${only}_test.c" ]; then
	if ! make -s -C "$TOP/test/unit" all SAN="${SAN:-0}" >/dev/null; then
		echo "unit: build failed" >&2
		failed=$((failed + 1))
		failed_names+=("unit-build")
	else
		while read -r kind name p f; do
			[ "$kind" = unit ] || continue
			[ -n "$only" ] && [ "$only" != "$name" ] && continue
			echo "unit  $name: $p passed, $f failed"
			passed=$((passed + p))
			failed=$((failed + f))
			[ "$f" -gt 0 ] && failed_names+=("$name")
		done < <(make -s -C "$TOP/test/unit" run SAN="${SAN:-0}")
	fi
fi

# fuzz targets: a short run each from the committed seeds, one result each
if [ -z "$only" ] || [ "$only" = fuzz ]; then
	if ! make -s -C "$TOP/test/fuzz" >/dev/null 2>&1; then
		echo "fuzz: build failed (clang with libFuzzer: make deps)"
		failed=$((failed + 1))
		failed_names+=("fuzz-build")
	else
		while read -r kind name runs rc; do
			[ "$kind" = fuzz ] || continue
			if [ "$rc" = 0 ] && [ "${runs:-0}" -gt 0 ]; then
				echo "fuzz  $name: passed ($runs inputs)"
				passed=$((passed + 1))
			else
				echo "fuzz  $name: FAILED (rc $rc), see build/fuzz/$name.log"
				failed=$((failed + 1))
				failed_names+=("fuzz-$name")
			fi
		done < <(make -s -C "$TOP/test/fuzz" smoke)
	fi
fi

# system tests: one result per test folder
if ! make -s -C "$TOP/test/tools" >/dev/null || ! make -s -C "$TOP/utils" >/dev/null; then
	echo "test tools or utils: build failed" >&2
	exit 1
fi
for t in "$TOP"/test/system/*/test.sh; do
	name=$(basename "$(dirname "$t")")
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	out="$TOP/build/test/$name"
	rm -rf "$out"
	mkdir -p "$out"
	start=$(date +%s)
	TEST_NAME=$name OUT=$out timeout -k 5 "${TEST_TIMEOUT:-300}" \
		bash "$t" >"$out/test.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		echo "system $name: passed (${secs}s)"
		passed=$((passed + 1))
		rm -rf "$out"
	elif [ $rc -eq 77 ]; then
		echo "system $name: skipped: $(sed -n 's/^SKIP: //p' "$out/test.log" | tail -n 1)"
		skipped=$((skipped + 1))
	else
		echo "system $name: FAILED (rc $rc, ${secs}s), logs in $out"
		sed 's/^/      /' "$out/test.log" | tail -n 15
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
done

if [ -n "$only" ] && [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "no test named '$only'" >&2
	exit 2
fi
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
