# Kamailio: cfg templates, a kamailio started in the foreground and
# tracked, and the one way to ask a running one (rpc).
[ -z "${_harness_kamailio:-}" ] || return 0
_harness_kamailio=1

# render a template: @NAME@ is replaced by the value of shell variable NAME
# for each NAME given. usage: render in out NAME...
render()
{
	local in=$1 out=$2 expr=() v
	shift 2
	for v in "$@"; do
		expr+=(-e "s|@$v@|${!v}|g")
	done
	sed "${expr[@]}" "$in" >"$out"
	if grep -q '@[A-Z_]*@' "$out"; then
		fail "unrendered placeholders in $out: $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
	fi
}

# start kamailio in the foreground (no daemon) with cfg $1, log to
# $OUT/<name>.log; waits until it listens on UDP port $2.
# usage: start_kamailio name cfg port [kamailio args]  -> sets KAM_PID
start_kamailio()
{
	local name=$1 cfg=$2 port=$3 log="$OUT/$1.log"
	shift 3
	if ! kamailio -c -f "$cfg" "$@" >"$OUT/$name.check.log" 2>&1; then
		sed 's/^/    /' "$OUT/$name.check.log" | tail -n 20 >&2
		fail "kamailio -c rejected $cfg (see $OUT/$name.check.log)"
	fi
	kamailio -f "$cfg" -DD -E -m 64 -M 8 -Y "$OUT" "$@" >"$log" 2>&1 &
	KAM_PID=$!
	track "$KAM_PID"
	if ! wait_udp_port "$port" "$KAM_PID"; then
		tail -n 20 "$log" | sed 's/^/    /' >&2
		fail "kamailio $name did not come up on port $port (see $log)"
	fi
	note "kamailio $name pid $KAM_PID on port $port"
}

# an RPC to a kamailio over its binrpc control socket (kamcmd): that of
# $OUT/ctl.sock, or of $OUT/NAME.sock when the first argument is @NAME
# (@core: the core of start_core_lb)
# usage: rpc [@name] method [args...]
rpc()
{
	local sock=$OUT/ctl.sock
	case "${1:-}" in
		@*) sock=$OUT/${1#@}.sock; shift ;;
	esac
	timeout -k 2 10 kamcmd -s "unix:$sock" "$@"
}
