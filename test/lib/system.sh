# The whole path on one machine, shared by the system tests of the shipped
# cfg files, `make demo` and the soak: rtpengine, the IPv4-only core
# (cfg/core.cfg) and the dual-stack LB (cfg/kamailio.cfg), as shipped, on
# loopback ports of their own; users registered with the core's passwords.
[ -z "${_harness_system:-}" ] || return 0
_harness_system=1
harness_use afbridge

STOCK_MODULES=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/kamailio/modules

# sets CORE_PORT, KPORT (the LB), PROM_PORT (its metrics listener), CORE_PID,
# LB_PID and the relay's ports;
# CORE_ARGS and LB_ARGS: more kamailio arguments for each (e.g. -m 512
# -x tlsf), as are the arguments given (to the LB)
start_system()
{
	start_rtpengine
	start_core_lb "$@"
}

# the core and the LB, the LB talking to the relay at NG_PORT (which
# need not be up); extra arguments go to the LB's kamailio (-A ...)
start_core_lb()
{
	# MODULES_FROM=package: the dualstack modules from kamailio's own
	# module path (the installed package, test/deb/run.sh), not the tree
	local mpath=(-L "$TOP/modules:$STOCK_MODULES")
	[ "${MODULES_FROM:-tree}" = package ] && mpath=()
	CORE_PORT=$(free_port)
	echo "1 sip:127.0.0.1:$CORE_PORT" >"$OUT/dispatcher.list"
	start_kamailio core "$TOP/cfg/core.cfg" "$CORE_PORT" \
		-A "CORE_PORT=$CORE_PORT" -A "CTL_SOCK=\"unix:$OUT/core.sock\"" \
		-A "DB_URL=\"text://${CORE_DB:-$TOP/cfg/db}\"" \
		${CORE_ARGS:-}
	CORE_PID=$KAM_PID
	KPORT=$(free_port)
	PROM_PORT=$(free_port)
	start_kamailio lb "$TOP/cfg/kamailio.cfg" "$KPORT" \
		"${mpath[@]}" -A "LB_PORT=$KPORT" \
		-A "DS_LIST=\"$OUT/dispatcher.list\"" \
		-A "RTPE_SOCK=\"udp:127.0.0.1:$NG_PORT\"" \
		-A "PING_INTERVAL=${PING_INTERVAL:-2}" \
		-A "CTL_SOCK=\"unix:$OUT/ctl.sock\"" -A "PROM_PORT=$PROM_PORT" \
		${LB_ARGS:-} "$@"
	LB_PID=$KAM_PID
}

# the password of a subscriber of the core's database (cfg/db/subscriber
# or CORE_DB)
password_of()
{
	awk -F: -v u="$1" '$2 == u { print $4; exit }' "${CORE_DB:-$TOP/cfg/db}/subscriber"
}

# sipp's digest credentials for user $1 (answers the core's 401); none
# for a user the database does not have
sipp_auth()
{
	local pw
	pw=$(password_of "$1")
	[ -n "$pw" ] && printf '%s\n' -au "$1" -ap "$pw"
	return 0
}

# a UA registers user $3 from ip $2 through the LB, contact at its own
# address, with the user's credentials; sets REG_PORT (where it must answer
# later)
register_ua()
{
	local name=$1 ip=$2 user=$3
	REG_PORT=$(free_port)
	run_sipp "$name" -sf "$SCN/ua_register.xml" -m 1 -d 0 -i "$ip" -p "$REG_PORT" \
		$(sipp_auth "$user") \
		-key user "$user" -key contact_host "$(uri_host "$ip")" \
		-key contact_port "$REG_PORT" "$(uri_host "$ip"):$KPORT" ||
		fail "$user could not register from $ip through the LB"
}
