#!/bin/bash
# The Debian package as a user gets it: build it (mk/deb.sh:
# dpkg-buildpackage, lintian), install it with apt-get, check what it put
# where, that kamailio finds the modules in its own module path (no -L),
# that the tools and their man pages work, and run the end-to-end LB test
# (test/system/e2e_lb) with the installed modules. The package is purged at
# the end, also when a check fails: the machine stays as it was.
# Run as root (apt-get); make test-deb installs what it needs first.
# Prints one line per check and "N passed, N failed"; logs in build/test/deb/.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
PKG=kamailio-dualstack-modules
OUT=$TOP/build/test/deb
MODULES=$(cd "$TOP/modules" && ls -d */Makefile | sed 's|/Makefile||')
MODDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/kamailio/modules
DOC=/usr/share/doc/$PKG
APT=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
passed=0
failed=0
installed=0

rm -rf "$OUT"
mkdir -p "$OUT"

# usage: check NAME COMMAND...; COMMAND's output goes to $OUT/NAME.log
check()
{
	local name=$1
	shift
	if "$@" >"$OUT/$name.log" 2>&1; then
		echo "deb   $name: passed"
		passed=$((passed + 1))
		return 0
	fi
	echo "deb   $name: FAILED, log in $OUT/$name.log"
	sed 's/^/      /' "$OUT/$name.log" | tail -n 15
	failed=$((failed + 1))
	return 1
}

finish()
{
	if [ "$installed" = 1 ]; then
		installed=0
		check purge purge_package
	fi
	echo "$passed passed, $failed failed"
	# (a bare exit in an EXIT trap keeps the status the script exited with)
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

# a cfg that loads every module by name and calls a function of each
# (kamailio -c resolves them; it is never run)
cat >"$OUT/load.cfg" <<CFG
listen=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "usrloc.so"
loadmodule "rtpproxy.so"
$(for m in $MODULES; do echo "loadmodule \"$m.so\""; done)
request_route {
	if(is_ip6_ref("\$si")) {
		af_bridge();
	}
	regping_ping("\$fu");
	drop;
}
CFG

build()
{
	"$TOP/mk/deb.sh" || return 1
	DEB=$(ls "$TOP"/build/deb/"$PKG"_*.deb)
}

depends()
{
	local want deps
	want="kamailio (= $(dpkg-query -W -f='${Version}' kamailio))"
	deps=$(dpkg-deb -f "$DEB" Depends)
	echo "Depends: $deps"
	case ", $deps," in
	*", $want,"*) ;;
	*) echo "no '$want' in Depends"; return 1 ;;
	esac
	# afbridge's dialog mark links libcrypto (libssl3, trixie: libssl3t64),
	# found by dh_shlibdeps
	case ", $deps" in
	*", libssl3"*) ;;
	*) echo "no libssl3 in Depends"; return 1 ;;
	esac
}

# nothing of ours in kamailio's module path yet (make install would put
# files there that the purge at the end would then take away)
not_there()
{
	if dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | grep -q '^ii'; then
		echo "$PKG is installed already: apt-get purge $PKG first"
		return 1
	fi
	for m in $MODULES; do
		if [ -e "$MODDIR/$m.so" ]; then
			echo "$MODDIR/$m.so exists (make install?): remove it first"
			return 1
		fi
	done
	if kamailio -c -f "$OUT/load.cfg"; then
		echo "kamailio -c accepted the cfg without the package"
		return 1
	fi
}

install_package()
{
	(cd "$(dirname "$DEB")" && $SUDO "${APT[@]}" install "./$(basename "$DEB")") || return 1
	installed=1
}

# the files the package must hold, each where it belongs and present
content()
{
	local list f m missing=0
	list=$(dpkg -L "$PKG") || return 1
	echo "$list"
	want=(/usr/bin/ip6-dbaudit /usr/bin/ip6-hostcheck /usr/bin/ip6-fragpolicy
		/usr/share/man/man1/ip6-dbaudit.1.gz /usr/share/man/man1/ip6-hostcheck.1.gz
		/usr/share/man/man1/ip6-fragpolicy.1.gz
		"$DOC/examples/kamailio.cfg" "$DOC/examples/core.cfg" "$DOC/copyright")
	for m in $MODULES; do
		want+=("$MODDIR/$m.so" "$DOC/modules/README.$m")
	done
	for f in "${want[@]}"; do
		# dh_compress gzips docs over 4 kB
		if ! grep -qx -e "$f" -e "$f.gz" <<<"$list"; then
			echo "MISSING from the package: $f"
			missing=1
		fi
	done
	while read -r f; do
		[ -e "$f" ] || { echo "listed but not on disk: $f"; missing=1; }
	done <<<"$list"
	[ "$missing" = 0 ]
}

# kamailio finds the modules by name in its default module path
load()
{
	kamailio -c -f "$OUT/load.cfg" || return 1
	for m in $MODULES; do
		dpkg -S "$MODDIR/$m.so" | grep -q "^$PKG:" || return 1
	done
}

# the shipped LB cfg, from the package's examples, without -L
example_cfg()
{
	kamailio -c -f "$DOC/examples/kamailio.cfg"
}

tools()
{
	local rc schema
	/usr/bin/ip6-hostcheck --no-listen --cfg "$DOC/examples/kamailio.cfg"
	rc=$?
	[ "$rc" -le 2 ] || { echo "ip6-hostcheck: exit $rc"; return 1; }
	schema=$(ls -d "$TOP"/build/deb/dualstack/build/kamailio-*/src/lib/srdb1/schema)
	/usr/bin/ip6-dbaudit "$schema" >"$OUT/dbaudit.txt"
	rc=$?
	cat "$OUT/dbaudit.txt"
	# kamailio's schema has columns too narrow (exit 1, a count line)
	[ "$rc" = 1 ] && grep -q 'too narrow for IPv6' "$OUT/dbaudit.txt"
}

# man finds each page; it renders with its sections and no groff warning
manpages()
{
	local t page
	for t in ip6-dbaudit ip6-hostcheck ip6-fragpolicy; do
		page=$(man -w "$t") || return 1
		echo "$t: $page"
		[ "$page" = "/usr/share/man/man1/$t.1.gz" ] || return 1
		# rendered from the installed file: man's cache of formatted pages
		# may hold an older version's (the package's files carry the
		# changelog's date)
		MANWIDTH=80 man -l "$page" >"$OUT/$t.txt" 2>"$OUT/$t.warn" || return 1
		MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null | tee -a "$OUT/$t.warn"
		[ ! -s "$OUT/$t.warn" ] || { echo "$t: groff warnings"; return 1; }
		grep -Eq "^ *$t +- " "$OUT/$t.txt" || { echo "$t: no NAME line"; return 1; }
		grep -q "^SYNOPSIS" "$OUT/$t.txt" && grep -q "^EXIT STATUS" "$OUT/$t.txt" ||
			{ echo "$t: sections missing"; return 1; }
	done
}

# the end-to-end LB test, its LB loading the dualstack modules from
# kamailio's module path
e2e()
{
	MODULES_FROM=package "$TOP/test/run.sh" e2e_lb
}

purge_package()
{
	local m
	$SUDO "${APT[@]}" purge "$PKG" || return 1
	for m in $MODULES; do
		[ ! -e "$MODDIR/$m.so" ] || { echo "$MODDIR/$m.so left behind"; return 1; }
	done
	! dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | grep -q '^ii'
}

check build build || exit
grep '^lintian:\|^deb: Package\|^deb: [0-9]' "$OUT/build.log" | sed 's/^/      /'
check depends depends
check not-there not_there || exit
check install install_package || exit
check content content
check load load
check example-cfg example_cfg
check tools tools
check manpages manpages
check e2e_lb e2e
