#!/bin/sh
# Install what building and testing dualstack needs, only what is missing,
# plus the packages named as arguments (e.g. what make bench needs).
# Idempotent and non-interactive; run as root (or with sudo available).
set -eu

PKGS="kamailio kamailio-extra-modules kamailio-utils-modules sip-tester
rtpengine-daemon rtpengine-utils check pkg-config xsltproc docbook-xsl docbook-xml libxml2-dev
dpkg-dev gcc make iproute2 lynx libxml2-utils libpq-dev postgresql
kamailio-postgres-modules tcpdump curl iptables baresip-core linphone-cli clang libclang-rt-14-dev python3 procps $*"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d keeps the packages' init scripts from starting daemons:
# tests start their own kamailio/rtpengine by PID.
prc=/usr/sbin/policy-rc.d
if [ ! -e $prc ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee $prc >/dev/null
	$SUDO chmod 755 $prc
	trap '$SUDO rm -f $prc' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends $missing
