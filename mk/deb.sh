#!/bin/sh
# Build the Debian package (debian/) for the installed kamailio with
# dpkg-buildpackage, then check it with lintian. The build runs in a copy
# of the tree in build/deb/dualstack/, because dpkg-buildpackage writes the
# .deb, .buildinfo and .changes next to the source folder: they end up in
# build/deb/. Prints the lintian summary, and the .deb's path last.
# usage: deb.sh   (make deb installs the packages it needs first)
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/build/deb
src=$OUT/dualstack

rm -rf "$OUT"
mkdir -p "$src/build"
# the tree as it is (also uncommitted changes), without build output
(cd "$TOP" && tar -c --exclude=./build --exclude=./.git --exclude=./bench/out \
	--exclude=./test/out .) | tar -x -C "$src"
# the kamailio source apt-get source fetched for the tree's own build, so
# that the package build need not download it again
for f in "$TOP"/build/kamailio_*; do
	[ -f "$f" ] && cp -p "$f" "$src/build/"
done

echo "deb: dpkg-buildpackage in $src (log: $OUT/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b --no-sign) >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed, see $OUT/build.log" >&2
	exit 1
fi

changes=$(ls "$OUT"/*.changes)
deb=$(ls "$OUT"/kamailio-dualstack-modules_*.deb)
# tags down to info (lintian -I); its exit status is 1 on errors
lintian_rc=0
lintian --display-info "$changes" >"$OUT/lintian.txt" 2>&1 || lintian_rc=$?
grep '^[A-Z]: ' "$OUT/lintian.txt" | sed 's/^/  /'
awk '
	/^E: / { e++ } /^W: / { w++ } /^I: / { i++ }
	/^[EWI]: / { tags[$3] = 1 }
	END {
		n = 0
		for (t in tags) list = list (n++ ? ", " : " (") t
		printf "lintian: %d errors, %d warnings, %d info%s\n", e, w, i, n ? list ")" : ""
	}' "$OUT/lintian.txt"
[ "$lintian_rc" = 0 ] || { echo "deb: lintian reports errors" >&2; exit 1; }

echo "deb: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
echo "deb: $(stat -c %s "$deb") bytes, Installed-Size $(dpkg-deb -f "$deb" Installed-Size) kB"
echo "$deb"
