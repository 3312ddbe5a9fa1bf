#!/bin/bash
# The shipped LB (cfg/kamailio.cfg) stores only what the shipped core
# (cfg/core.cfg, digest authentication) accepted. alice registers with
# her credentials and answers the LB's keepalives; an attacker without
# credentials then sends, from other sources: Contact * with Expires 0 for
# alice's AoR, 10 junk bindings for it, 100 new AoRs. The core answers each
# 401; the LB stores none of it: alice's binding stays and is still pinged
# at her address, her second device registers (no "too many contacts"),
# no AoR appears. Then alice's own de-registration of one device reaches
# the LB (the 2xx omits it: removed), the other stays pinged.
. "$(dirname "$0")/../../lib/harness.sh" hostile

# what reaches the core without credentials: no per-source limit here
# (lb_reg_rate tests it)
LB_ARGS="-A REG_RATE=100000"
start_system

# a REGISTER of user $1 (may contain @N@) with Contact header value $2 and
# Expires $3, from the sender's own address (rport), without credentials
reg()
{
	printf '%s\n' \
		"REGISTER sip:127.0.0.1 SIP/2.0" \
		"Via: SIP/2.0/UDP @LIP@:@LPORT@;rport;branch=@BRANCH@" \
		"From: <sip:$1@example.net>;tag=@N@x" \
		"To: <sip:$1@example.net>" \
		"Call-ID: @CALLID@" \
		"CSeq: 1 REGISTER" \
		"Contact: $2" \
		"Expires: $3" \
		"Max-Forwards: 70" \
		"Content-Length: 0" \
		""
}
pings() { sipp_received "$OUT/$1.msg" | awk -v RS= '/^OPTIONS / { n++ } END { print n + 0 }'; }
lb_addrs() { rpc regping.list "$1" | awk '$1 == "address:" { print $2 }' | sort | tr '\n' ' '; }
lb_contacts() { rpc regping.status | awk '$1 == "contacts:" { print $2 }'; }
# predicates for wait_for (evaluated at each try)
pinged_at() { [ "$(lb_addrs "$1")" = "$2" ]; }
pings_reach() { [ "$(pings "$1")" -ge "$2" ]; }
contacts_are() { [ "$(lb_contacts)" = "$1" ]; }

# alice's phone: registers with credentials, answers the pings for 40 s
A1=$(free_port)
start_sipp alice1 ::1 "$A1" -sf "$SCN/ua_register.xml" -m 1 -d 40000 $(sipp_auth alice) \
	-key user alice -key contact_host "[::1]" -key contact_port "$A1" \
	-oocsf "$SCN/uas_options.xml" "[::1]:$KPORT"
wait_for 10 pinged_at alice "[::1]:$A1 " ||
	fail "the LB does not ping alice at [::1]:$A1: $(lb_addrs alice)"
grep -q "SIP/2.0 401" "$OUT/alice1.msg" || fail "the core did not challenge alice's REGISTER"
wait_for 6 pings_reach alice1 1 || fail "alice got no keepalive"

# --- Contact * / Expires 0 for alice's AoR from another source ---
hostile star-wipe 127.0.0.1 "codes=401x1" < <(reg alice "*" 0)
hostile expires0-wipe ::1 "codes=401x1" < <(reg alice "<sip:alice@[::1]:$A1>" 0)
[ "$(lb_addrs alice)" = "[::1]:$A1 " ] || fail "after the refused wipes the LB has alice at: $(lb_addrs alice)"
n0=$(pings alice1)
wait_for 6 pings_reach alice1 $((n0 + 2)) ||
	fail "alice got $(($(pings alice1) - n0)) pings in the 6 s after the refused wipes"
note "after Contact * and Expires 0 without credentials: alice still at [::1]:$A1, $(($(pings alice1) - n0)) more pings"

# --- 10 junk bindings for alice, then her second device registers ---
hostile junk-10 127.0.0.1 "answered 10 codes=401x10" --repeat 10 --rate 100 \
	< <(reg alice "<sip:junk@N@@127.0.0.1:9>" 300)
[ "$(lb_addrs alice)" = "[::1]:$A1 " ] || fail "after 10 refused junk bindings the LB has alice at: $(lb_addrs alice)"
register_ua alice2 127.0.0.1 alice
A2=$REG_PORT
grep -q "too many contacts" "$OUT/lb.log" && fail "the LB refused a binding as too many contacts"
wait_for 5 pinged_at alice "127.0.0.1:$A2 [::1]:$A1 " ||
	fail "alice's two devices are not pinged at their sources: $(lb_addrs alice)"
note "10 junk bindings without credentials refused; alice's second device registered, pinged: $(lb_addrs alice)"

# --- 100 new AoRs without credentials ---
hostile aors-100 ::1 "answered 100 codes=401x100" --repeat 100 --rate 200 \
	< <(reg "new@N@" "<sip:new@N@@[::1]:9>" 300)
[ "$(lb_contacts)" = 2 ] || fail "the LB pings $(lb_contacts) contacts after 100 refused AoRs, expected 2"
for u in new0 new50 new99; do
	rpc ul.lookup location "$u" >"$OUT/lookup-$u.txt" 2>&1
	grep -q "AOR not found" "$OUT/lookup-$u.txt" || fail "the LB stored AoR $u: $(cat "$OUT/lookup-$u.txt")"
done
note "100 REGISTERs for new AoRs without credentials: no AoR stored, $(lb_contacts) contacts pinged"

# --- alice removes her second device (with credentials): the core's 2xx
# omits it, the LB removes it; the first stays pinged ---
run_sipp alice2-dereg -sf "$HERE/ua_unregister.xml" -m 1 -i 127.0.0.1 -p "$(free_port)" \
	$(sipp_auth alice) -key user alice -key contact "<sip:alice@127.0.0.1:$A2>" "127.0.0.1:$KPORT" ||
	fail "alice could not remove her second device"
wait_for 5 pinged_at alice "[::1]:$A1 " ||
	fail "after alice removed 127.0.0.1:$A2 the LB pings: $(lb_addrs alice)"
n0=$(pings alice1)
wait_for 6 pings_reach alice1 $((n0 + 2)) || fail "alice's first device is no longer pinged"
note "alice's own de-registration of 127.0.0.1:$A2 reached the LB; [::1]:$A1 still pinged"

# --- and Contact * with her credentials: the LB keeps nothing of alice ---
run_sipp alice-star -sf "$HERE/ua_unregister.xml" -m 1 -i ::1 -p "$(free_port)" \
	$(sipp_auth alice) -key user alice -key contact "*" "[::1]:$KPORT" ||
	fail "alice could not remove her bindings with Contact *"
wait_for 5 contacts_are 0 || fail "after alice's Contact * the LB pings $(lb_contacts) contacts"
rpc ul.lookup location alice >"$OUT/lookup-alice.txt" 2>&1
grep -q "AOR not found" "$OUT/lookup-alice.txt" || fail "the LB still stores alice: $(cat "$OUT/lookup-alice.txt")"
note "alice's own Contact * emptied her AoR at the LB"
