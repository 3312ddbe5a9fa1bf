#!/usr/bin/env python3
# Keepalives per contact per interval, from the logs of regload run with
# REGLOAD_LOG=users (lines "<realtime_us> <user>", several logs at once).
#
#   pingcount.py intervals USERS START_US INTERVAL_S N LOG...
#       per interval, over the N intervals from START_US on: how many of
#       the contacts in USERS (a file, one user a line) got more than one
#       ping (each extra one a duplicate) and how many none (a miss)
#   pingcount.py gap USERS FROM_US TO_US LOG...
#       the longest time between two pings of one contact of USERS that
#       overlaps [FROM_US, TO_US] (one not pinged again by TO_US: up to TO_US)
#
# Each contact's intervals are centred on its own ping times: the first
# expected ping is one interval after its last ping before START_US (without
# one, its first ping in the first interval), interval k spans half an
# interval either side of the k-th expected one. A pinger keeps a contact
# at one phase, so a ping late or early by a timer tick across a boundary
# is neither a miss nor a duplicate; a second pinger at another phase (or
# at the same) is a duplicate wherever it falls, a skipped ping a miss.
#
# intervals prints a line per interval and, last, "dups D misses M";
# gap prints "gap_us G user U at_us T" (T: where the gap starts). Details of
# each duplicate and miss (user, interval, ping times) go to stderr, the
# first 10.
import bisect
import sys


def read_users(path):
    with open(path) as f:
        return [u for u in (line.strip() for line in f) if u]


def read_logs(paths):
    pings = {}
    for p in paths:
        with open(p) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 2:
                    continue
                pings.setdefault(parts[1], []).append(int(parts[0]))
    for t in pings.values():
        t.sort()
    return pings


def intervals(users, start, interval_s, n, pings):
    iv = int(round(interval_s * 1e6))
    half = iv // 2
    dups = [0] * n
    misses = [0] * n
    counted = [0] * n
    details = []
    for u in users:
        t = pings.get(u, [])
        i = bisect.bisect_left(t, start)
        if i > 0 and t[i - 1] >= start - iv:
            first = t[i - 1] + iv
        elif i < len(t) and t[i] < start + iv:
            first = t[i]
        else:
            first = start + half
        for k in range(n):
            lo = first + k * iv - half
            a = bisect.bisect_left(t, lo)
            b = bisect.bisect_left(t, lo + iv)
            c = b - a
            counted[k] += c
            if c == 0:
                misses[k] += 1
            elif c > 1:
                dups[k] += c - 1
            if c != 1 and len(details) < 10:
                details.append("%s interval %d: %d pings %s" % (
                    u, k + 1, c, " ".join("%+.3f" % ((x - start) / 1e6) for x in t[a:b])))
    for k in range(n):
        print("interval %d (+%.0f s): pings %d, dups %d, misses %d" % (
            k + 1, k * interval_s, counted[k], dups[k], misses[k]))
    for d in details:
        print("  " + d, file=sys.stderr)
    print("dups %d misses %d" % (sum(dups), sum(misses)))


def gap(users, t_from, t_to, pings):
    best = (-1, "-", 0)
    for u in users:
        t = [x for x in pings.get(u, []) if x <= t_to]
        i = bisect.bisect_left(t, t_from)
        # the ping before t_from starts the first gap that overlaps
        prev = t[i - 1] if i > 0 else t_from
        for x in t[i:] + [t_to]:
            if x - prev > best[0]:
                best = (x - prev, u, prev)
            prev = x
    print("gap_us %d user %s at_us %d" % best)


def main(argv):
    if len(argv) >= 6 and argv[1] == "intervals":
        intervals(read_users(argv[2]), int(argv[3]), float(argv[4]), int(argv[5]),
                  read_logs(argv[6:]))
    elif len(argv) >= 5 and argv[1] == "gap":
        gap(read_users(argv[2]), int(argv[3]), int(argv[4]), read_logs(argv[5:]))
    else:
        print("usage: pingcount.py intervals USERS START_US INTERVAL_S N LOG...\n"
              "       pingcount.py gap USERS FROM_US TO_US LOG...", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
