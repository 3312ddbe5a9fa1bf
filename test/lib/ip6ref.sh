# Shared by the ip6ref_script and ip6ref_kemi tests: the same OPTIONS run
# and the same expected answers, whichever way the kamailio under test
# computes them (native cfg script or KEMI).
[ -z "${_harness_ip6ref:-}" ] || return 0
_harness_ip6ref=1

CASES=$TOP/test/lib/ip6ref_cases.tsv
SCEN=$SCN/ip6ref_options.xml

# one OPTIONS per case from local address $2 (127.0.0.1 or ::1) to
# kamailio on port $3, request-URI host spelled $4; messages in $OUT/$1.msg
ip6ref_run()
{
	local name=$1 lip=$2 kport=$3 rurihost=$4 rhost n
	local csv="$OUT/$name.csv"
	{
		echo SEQUENTIAL
		grep -v '^#' "$CASES" | awk -F'\t' '{print $1 ";" $2}'
	} >"$csv"
	n=$(($(wc -l <"$csv") - 1))
	rhost=$lip
	[ "$lip" = "::1" ] && rhost="[::1]"
	run_sipp "$name" -sf "$SCEN" -inf "$csv" -m "$n" -i "$lip" \
		-p "$(free_port)" -key rurihost "$rurihost" "$rhost:$kport" ||
		fail "sipp $name did not get a 200 for every case"
}

# compare every reply in $OUT/$1.msg with the expected row of the cases
# table, and the per-message headers X-Si / X-Rd with $2 / $3
ip6ref_check()
{
	local name=$1 want_si=$2 want_rd=$3 msgs m bad=0 n=0
	local in other pred af ref addr canon tr eq h want got
	msgs=$(sipp_received "$OUT/$name.msg")
	# tabs to \037: read would merge adjacent tabs (the empty input)
	while IFS=$'\037' read -r in other pred af ref addr canon tr eq; do
		case "$in" in "#"*) continue ;; esac
		n=$((n + 1))
		m=$(printf '%s\n' "$msgs" | awk -v RS= -v want="X-In: $in" '
			{ k = split($0, L, "\n"); for(i = 1; i <= k; i++)
				if(L[i] == want) { print; exit } }')
		if [ -z "$m" ]; then
			note "no reply for input '$in'"
			bad=$((bad + 1))
			continue
		fi
		for h in "X-Pred:$pred" "X-Af:$af" "X-Ref:$ref" "X-Addr:$addr" \
			"X-Canon:$canon" "X-Tr:$tr" "X-Equal:$eq" \
			"X-Si:$want_si" "X-Rd:$want_rd"; do
			want=${h#*:}
			got=$(msg_header "$m" "${h%%:*}")
			if [ "$got" != "$want" ]; then
				note "input '$in' (other '$other'): ${h%%:*} expected '$want', got '$got'"
				bad=$((bad + 1))
			fi
		done
	done < <(tr '\t' '\037' <"$CASES")
	[ "$bad" -eq 0 ] || fail "$name: $bad mismatches over $n cases"
	note "$name: $n cases as expected"
}

# the whole test: kamailio from template $1, runs from IPv4 and IPv6
ip6ref_test()
{
	local tmpl=$1 PORT
	PORT=$(free_port)
	render "$tmpl" "$OUT/kamailio.cfg" TOP PORT OUT
	[ -f "$HERE/script.js" ] && cp "$HERE/script.js" "$OUT/script.js"
	start_kamailio kamailio "$OUT/kamailio.cfg" "$PORT"

	ip6ref_run from4 127.0.0.1 "$PORT" 127.0.0.1
	ip6ref_check from4 "127.0.0.1|1|4|127.0.0.1|1|-1" "-1|127.0.0.1|1"

	# $rd spelled [0:0:0::0001]: canonical [::1], equal to the received ip
	ip6ref_run from6 ::1 "$PORT" "[0:0:0::0001]"
	ip6ref_check from6 "::1|1|6|[::1]|1|1" "1|[::1]|1"
}
