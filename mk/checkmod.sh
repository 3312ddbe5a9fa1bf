#!/bin/sh
# Check that modules load into the installed kamailio: same version and
# compile flags (kamailio refuses others with "module ... mismatch").
# usage: checkmod.sh module.so...
set -u

ver=$(kamailio -v 2>/dev/null | sed -n 's/^version: //p')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for so in "$@"; do
	so=$(cd "$(dirname "$so")" && pwd)/$(basename "$so")
	printf 'listen=udp:127.0.0.1:5060\nloadmodule "%s"\nrequest_route { drop; }\n' \
		"$so" >"$tmp/check.cfg"
	if ! kamailio -c -f "$tmp/check.cfg" >"$tmp/out" 2>&1; then
		echo "checkmod: $so does not load into the installed $ver:" >&2
		if grep -q 'mismatch' "$tmp/out"; then
			echo "  it was built against kamailio source configured with other" \
				"version or compile flags; run 'make distclean && make'" >&2
		fi
		sed 's/^/  | /' "$tmp/out" | grep -v '^  | *$' | head -n 8 >&2
		rc=1
	fi
done
exit $rc
