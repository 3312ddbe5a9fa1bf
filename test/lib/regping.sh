# UAs that register at a registrar on $PORT and answer its pings (regping's
# keepalives), and the pings they saw.
[ -z "${_harness_regping:-}" ] || return 0
_harness_regping=1

# usage: ua name ip user contact_host contact_port [answer [seconds]]
# answer 0: the UA does not answer pings; it stays for seconds (30).
# UA_PORT picks its port. Sets UA_PID and UA_PORT_USED.
ua()
{
	local name=$1 ip=$2 user=$3 chost=$4 cport=$5 answer=${6:-1} secs=${7:-30} port
	port=${UA_PORT:-$(free_port)}
	# credentials when the shipped core is in front (system.sh)
	start_sipp "$name" "$ip" "$port" -sf "$SCN/ua_register.xml" -m 1 \
		$(! declare -F sipp_auth >/dev/null || sipp_auth "$user") \
		-d $((secs * 1000)) -key user "$user" -key contact_host "$chost" \
		-key contact_port "$cport" \
		$([ "$answer" = 1 ] && echo -oocsf "$SCN/uas_options.xml") \
		"$(uri_host "$ip"):$PORT"
	UA_PID=$SIPP_PID
	UA_PORT_USED=$port
}

# pings (OPTIONS) the log of sipp $1 shows
pings()
{
	sipp_received "$OUT/$1.msg" | awk -v RS= '/^OPTIONS / { n++ } END { print n + 0 }'
}
