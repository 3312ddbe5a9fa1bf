#!/bin/bash
# Run the README's test command on a new machine: a fresh Debian root
# (debootstrap --variant=minbase) of release DIST with only git and make
# added, the repository's committed HEAD cloned into /root (root's 0700
# home, as a user would), then `make test` inside it with chroot, and
# `make test-deb` (the Debian package built, installed with apt-get and the
# end-to-end LB test run with its modules); ROOT_TARGETS picks others.
#
#   mk/testroot.sh DIST          make test, test-deb in a fresh root; exits 1 if one failed
#   mk/testroot.sh DIST shell    a shell in a fresh root with the clone (debugging)
#   ROOT_TARGETS="deps all" ROOT_TESTS="cluster_own cluster_reg" mk/testroot.sh DIST
#                                chosen targets, then single tests
#
# The pristine root is made once and cached as build/roots/DIST.tar; each
# run unpacks it anew. Output goes to the terminal and to
# build/roots/DIST-<time>.log, the logs of failed tests to
# build/roots/DIST-<time>.test/. On exit (also on failure or Ctrl-C) every
# process still running inside the root is stopped by its PID, everything
# mounted below it is unmounted and the root is removed.
set -u

DIST=${1:?usage: testroot.sh bookworm|trixie [shell]}
MODE=${2:-test}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${SECURITY:-http://deb.debian.org/debian-security}
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROOTS=$TOP/build/roots
NAME=dualstack
TARGETS=${ROOT_TARGETS:-test test-deb}
# ROOT_TESTS="a b": after the targets, make test T=a, T=b (one test each)
TESTS=${ROOT_TESTS:-}

case "$DIST" in
bookworm | trixie) ;;
*) echo "testroot: DIST must be bookworm or trixie, not '$DIST'" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "testroot: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
	echo "testroot: debootstrap is missing (make deps installs it)" >&2
	exit 2
}

mkdir -p "$ROOTS"
cache=$ROOTS/$DIST.tar
if [ ! -s "$cache" ]; then
	tmp=$ROOTS/$DIST.bootstrap
	rm -rf --one-file-system "$tmp"
	echo "testroot: debootstrap --variant=minbase $DIST (cached as $cache)"
	debootstrap --variant=minbase "$DIST" "$tmp" "$MIRROR" >"$ROOTS/$DIST.debootstrap.log" 2>&1 || {
		tail -n 20 "$ROOTS/$DIST.debootstrap.log" >&2
		echo "testroot: debootstrap failed (see $ROOTS/$DIST.debootstrap.log)" >&2
		exit 1
	}
	tar -C "$tmp" --numeric-owner -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
	rm -rf --one-file-system "$tmp"
fi

root=$(mktemp -d "$ROOTS/$DIST.run.XXXXXX")
log=$ROOTS/$DIST-$(date -u +%Y%m%dT%H%M%SZ).log

# mount points below $root and $root itself, deepest first
mounts_below()
{
	awk -v r="$root/" '{ m = $5; gsub(/\\040/, " ", m); if(index(m "/", r) == 1) print m }' \
		/proc/self/mountinfo | sort -r
}
# PIDs of the processes whose root directory is $root
pids_inside()
{
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
}
cleanup()
{
	local rc=$? pids p i m
	trap - EXIT INT TERM
	rm -f "$root.rc"
	pids=$(pids_inside)
	if [ -n "$pids" ]; then
		echo "testroot: stopping processes left in the root:" $pids
		kill -TERM $pids 2>/dev/null
		for i in $(seq 50); do
			pids=$(pids_inside)
			[ -z "$pids" ] && break
			sleep 0.1
		done
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		sleep 0.2
	fi
	# the logs of the tests that failed (run.sh keeps only those)
	if [ -n "$(ls -A "$root/root/$NAME/build/test" 2>/dev/null)" ]; then
		rm -rf "${log%.log}.test"
		cp -a "$root/root/$NAME/build/test" "${log%.log}.test" &&
			echo "testroot: logs of the failed tests: ${log%.log}.test/"
	fi
	mounts_below | while read -r m; do
		umount "$m" 2>/dev/null || umount -R "$m" 2>/dev/null || umount -l "$m"
	done
	if [ -n "$(mounts_below)" ]; then
		echo "testroot: still mounted below $root, not removing it:" "$(mounts_below)" >&2
		[ "$rc" -eq 0 ] && rc=1
	else
		rm -rf --one-file-system "$root"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "testroot: unpacking a fresh $DIST root into $root"
tar -C "$root" --numeric-owner -xf "$cache" || exit 1
chmod 755 "$root"

# the sources a standard installation has: the release, its updates and
# security suites
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $DIST $DIST-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $DIST-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

# the root's / a mount point of its own: "ip netns exec" makes / rslave
# in the namespace it enters (frag_netns), which fails on a plain folder
mount --bind "$root" "$root" || exit 1
mount -t proc proc "$root/proc" || exit 1
mount -t sysfs sys "$root/sys" || exit 1
# rbind: /dev/shm and /dev/pts come along (PostgreSQL needs /dev/shm);
# rslave: unmounting them in the root leaves the host's alone
mount --rbind /dev "$root/dev" || exit 1
mount --make-rslave "$root/dev" || exit 1

# the committed HEAD, as a clean clone would have it
# (with the branch, if any, so that the clone is on it)
git -C "$TOP" bundle create "$root/tmp/$NAME.bundle" HEAD \
	$(git -C "$TOP" symbolic-ref -q HEAD) >/dev/null 2>&1 || {
	echo "testroot: cannot bundle the repository's HEAD" >&2
	exit 1
}
head=$(git -C "$TOP" rev-parse --short HEAD)

inside()
{
	chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		${CI:+CI=$CI} "$@"
}

setup()
{
	echo "testroot: $DIST: installing git and make, cloning $head into /root/$NAME"
	inside sh -c "apt-get -o DPkg::Lock::Timeout=600 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
			--no-install-recommends git make >/dev/null &&
		git -c init.defaultBranch=main clone -q /tmp/$NAME.bundle /root/$NAME && rm /tmp/$NAME.bundle" || {
		echo "testroot: setting up the root failed" >&2
		return 1
	}
}

if [ "$MODE" = shell ]; then
	setup || exit 1
	echo "testroot: a shell in the $DIST root (exit to remove it)"
	inside sh -c "cd /root/$NAME && exec bash -l"
	exit 0
fi

start=$(date +%s)
# in the background, waited for: a signal (Ctrl-C) then runs the cleanup
# at once, also while something inside ignores it (apt, dpkg)
rcfile=$root.rc
{
	{
		setup && echo "testroot: $DIST: make $TARGETS in /root/$NAME" &&
			inside sh -c "cd /root/$NAME && rc=0 &&
				for t in $TARGETS; do make \$t || rc=1; done &&
				for t in $TESTS; do make test T=\$t || rc=1; done; exit \$rc" </dev/null
		echo $? >"$rcfile"
	} 2>&1 | tee "$log"
} &
wait $!
rc=$(cat "$rcfile" 2>/dev/null || echo 1)
rm -f "$rcfile"
echo "testroot: $DIST: make $TARGETS exited $rc after $(($(date +%s) - start)) s; log: $log" | tee -a "$log"
exit "$rc"
