#!/bin/sh
# Install what building and testing dualstack needs, only what is missing,
# plus the packages named as arguments (e.g. what make bench needs), then
# check that every command the build, the tests and the demo call is there.
# Idempotent and non-interactive; run as root (or with sudo available).
# The names are those of Debian 12 (bookworm) and 13 (trixie) alike:
# libclang-rt-dev is each release's runtime of its default clang (14, 19).
set -eu

PKGS="kamailio kamailio-extra-modules kamailio-utils-modules sip-tester
rtpengine-daemon rtpengine-utils check pkg-config xsltproc docbook-xsl docbook-xml libxml2-dev
dpkg-dev gcc make iproute2 lynx libxml2-utils libpq-dev libssl-dev postgresql
kamailio-postgres-modules tcpdump curl iptables baresip-core linphone-cli clang libclang-rt-dev python3 procps $*"

APT="apt-get -o DPkg::Lock::Timeout=600"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO $APT update -qq
	# policy-rc.d keeps the packages' init scripts from starting daemons:
	# tests start their own kamailio/rtpengine by PID.
	prc=/usr/sbin/policy-rc.d
	if [ ! -e $prc ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee $prc >/dev/null
		$SUDO chmod 755 $prc
		trap '$SUDO rm -f $prc' EXIT
	fi
	$SUDO $APT install -y -qq --no-install-recommends $missing
fi

# what the build, the tests and the demo call, and the package with it
bad=0
need()
{
	[ -e "$1" ] || command -v "$1" >/dev/null 2>&1 && return 0
	echo "deps: $1 is missing (package $2)" >&2
	bad=1
}
for c in kamailio:kamailio kamcmd:kamailio sipp:sip-tester rtpengine:rtpengine-daemon \
	rtpengine-ctl:rtpengine-utils psql:postgresql-client clang:clang gcc:gcc make:make \
	pkg-config:pkg-config dpkg-source:dpkg-dev dpkg-architecture:dpkg-dev \
	xsltproc:xsltproc xmllint:libxml2-utils lynx:lynx python3:python3 ss:iproute2 \
	pgrep:procps setpriv:util-linux timeout:coreutils; do
	need "${c%%:*}" "${c#*:}"
done
# the PostgreSQL server binaries are not on PATH
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
need "${pgbin:-/usr/lib/postgresql/N/bin}/initdb" postgresql
need "${pgbin:-/usr/lib/postgresql/N/bin}/postgres" postgresql
need /usr/share/kamailio/postgres/standard-create.sql kamailio-postgres-modules
need /usr/share/xml/docbook/stylesheet/docbook-xsl/xhtml/docbook.xsl docbook-xsl
need /usr/share/xml/docbook/schema/dtd/4.4/docbookx.dtd docbook-xml
pkg-config --exists check libxml-2.0 libpq libcrypto 2>/dev/null || {
	echo "deps: a pkg-config module of check, libxml-2.0, libpq or libcrypto is missing" \
		"(packages check, libxml2-dev, libpq-dev, libssl-dev)" >&2
	bad=1
}
# libFuzzer comes with clang's runtime
if command -v clang >/dev/null 2>&1; then
	# (clang 19's -print-runtime-dir names a folder Debian does not use)
	ls "$(clang -print-resource-dir)"/lib/*/libclang_rt.fuzzer*.a >/dev/null 2>&1 || {
		echo "deps: clang has no libFuzzer runtime (package libclang-rt-dev)" >&2
		bad=1
	}
fi
exit $bad
