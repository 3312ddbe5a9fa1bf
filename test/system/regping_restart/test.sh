#!/bin/bash
# A registrar restart with usrloc in a database: usrloc loads the contacts
# at startup without raising callbacks, regping takes them over and pings
# them again, at the address each REGISTER came from, with no new REGISTER.
. "$(dirname "$0")/../../lib/harness.sh" regping


mkdir -p "$OUT/db"
cp /usr/share/kamailio/dbtext/kamailio/version /usr/share/kamailio/dbtext/kamailio/location "$OUT/db/"
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/reg.cfg" TOP PORT OUT
start_kamailio first "$OUT/reg.cfg" "$PORT" -A DBTEXT
FIRST=$KAM_PID

# the UAs name an address in their Contact where nobody listens: the
# pings must go where the REGISTER came from
ua ua6 ::1 user6 "[::1]" 5999 1 60
ua ua4 127.0.0.1 user4 127.0.0.1 5999 1 60
pinged() { [ "$(pings ua6)" -ge 1 ] && [ "$(pings ua4)" -ge 1 ]; }
wait_for 10 pinged || fail "before the restart: ua6 got $(pings ua6) pings, ua4 $(pings ua4)"

# stop the first registrar by its PID; the UAs stay
stop_pid "$FIRST"
# db_text writes its files out when kamailio stops
grep -q "user6" "$OUT/db/location" && grep -q "user4" "$OUT/db/location" ||
	fail "usrloc did not write the contacts to $OUT/db/location"
before6=$(pings ua6)
before4=$(pings ua4)
note "restarting: ua6 had $before6 pings, ua4 $before4"

start_kamailio second "$OUT/reg.cfg" "$PORT" -A DBTEXT
grep -q "took over 2 contacts that usrloc loaded" "$OUT/second.log" ||
	wait_for 3 grep -q "took over 2 contacts that usrloc loaded" "$OUT/second.log" ||
	fail "regping did not take over the loaded contacts: $(grep -i regping "$OUT/second.log" | tail -3)"
again() { [ "$(pings ua6)" -ge $((before6 + 2)) ] && [ "$(pings ua4)" -ge $((before4 + 2)) ]; }
wait_for 10 again || fail "after the restart: ua6 got $(( $(pings ua6) - before6 )) pings, ua4 $(( $(pings ua4) - before4 ))"
rpc regping.status >"$OUT/status.txt"
grep -q "contacts_v4: 1" "$OUT/status.txt" && grep -q "contacts_v6: 1" "$OUT/status.txt" ||
	fail "status after the restart: $(tr '\n' ' ' <"$OUT/status.txt")"
rpc regping.list >"$OUT/list.txt"
grep -q "address: \[::1\]:5999\|address: 127.0.0.1:5999" "$OUT/list.txt" &&
	fail "regping pings the Contact's address, not the REGISTER's source: $(cat "$OUT/list.txt")"
[ "$(rpc cnt.get regping replied_v6)" -ge 2 ] && [ "$(rpc cnt.get regping replied_v4)" -ge 2 ] ||
	fail "the pings after the restart were not answered"
grep -q "contact dead" "$OUT/second.log" && fail "a contact was declared dead after the restart"
note "after the restart: ua6 $(( $(pings ua6) - before6 )) pings, ua4 $(( $(pings ua4) - before4 )), both answered"
