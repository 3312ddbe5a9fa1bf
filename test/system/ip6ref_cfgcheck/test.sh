#!/bin/bash
# kamailio -c accepts a cfg loading ip6ref.so by absolute path with every
# function and transformation, and kamailio starts with it; misuse is
# refused at startup (parameter fixups run then, not under -c) with a clear
# error: a read-only output variable, unknown or parameterised {ip6.*}.
. "$(dirname "$0")/../../lib/harness.sh"

# usage: cfg_write name body  -> $OUT/name.cfg listening on $PORT
cfg_write()
{
	{
		echo '#!KAMAILIO'
		echo "listen=udp:127.0.0.1:$PORT"
		echo 'loadmodule "pv.so"'
		echo "loadmodule \"$TOP/modules/ip6ref/ip6ref.so\""
		echo 'request_route {'
		echo "$2"
		echo '}'
	} >"$OUT/$1.cfg"
}

# usage: cfg_start name body  -> fails when kamailio starts; log in name.log
cfg_start()
{
	cfg_write "$1" "$2"
	timeout -k 2 20 kamailio -f "$OUT/$1.cfg" -DD -E >"$OUT/$1.log" 2>&1
	[ $? -eq 124 ] && fail "kamailio started with the cfg $1"
	return 0
}

PORT=$(free_port)
cfg_write all '
	if(is_ip6_ref("$rd") || is_ip6("$si") || is_ip4("$si") || is_ip4_mapped("$si")) { drop; }
	if(ip_equal("$si", "$sel(via[1].host)")) { drop; }
	ip_af("$si", "$var(af)");
	ip6_to_ref("$si", "$avp(ref)");
	ip6_to_addr("$rd", "$var(addr)");
	ip_canon("$rd", "$xavp(x=>canon)");
	$var(t) = $(rd{ip6.ref}) + $(rd{ip6.addr}) + $(rd{ip6.canon}) + $(si{ip6.af});
	$var(c) = $(rd{ip6.canon}{ip6.addr}{ip6.af});'
start_kamailio all "$OUT/all.cfg" "$PORT"
stop_all

cfg_start readonly 'ip_af("$si", "$si");'
grep -q "must be a writable variable" "$OUT/readonly.log" ||
	fail "no clear error for a read-only output variable: $(grep -m1 ERROR "$OUT/readonly.log")"

cfg_start badtr '$var(x) = $(rd{ip6.nope});'
grep -q "unknown ip6 transformation \[nope\]" "$OUT/badtr.log" ||
	fail "no clear error for an unknown transformation: $(grep -m1 ERROR "$OUT/badtr.log")"

cfg_start trparam '$var(x) = $(rd{ip6.ref,1});'
grep -q "takes no parameters" "$OUT/trparam.log" ||
	fail "no clear error for a transformation parameter"

note "valid cfg accepted; read-only output, unknown and parameterised transformations rejected"
