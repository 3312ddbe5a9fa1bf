# due.awk - of n contacts, how many a pinger kept on time at the sink
#
#   awk -v n=N -v start=T0 -v secs=S -v interval=I -f due.awk TIMES
#
# TIMES is regload's REGLOAD_LOG=users times file: one line per ping, its
# time (realtime us) and the user it was for. The sink started at T0
# (realtime us) and ran S
# seconds; pings were due every I seconds. A contact is on time when its
# first ping came within an interval of the start, its last within an
# interval of the end and no two of its pings were more than an interval
# apart, each give or take a twentieth of one (the window's edges, a timer's
# tick). Prints "on_time pinged n": contacts on time, contacts pinged at
# all, contacts registered.
BEGIN {
	iv = interval * 1000000
	end = secs * 1000000
	slack = iv / 20
}
NF >= 2 && $2 != "-" {
	t = $1 - start
	u = $2
	if(u in last) {
		if(t - last[u] > iv + slack)
			late[u] = 1
	} else if(t > iv + slack)
		late[u] = 1
	last[u] = t
}
END {
	pinged = 0
	ok = 0
	for(u in last) {
		pinged++
		if(!(u in late) && last[u] >= end - iv - slack)
			ok++
	}
	printf "%d %d %d\n", ok, pinged, n
}
