#!/bin/bash
# ip6-dbaudit on Kamailio's XML schema (the narrow columns, table, JSON,
# SQL; clear errors for broken XML) and on a live PostgreSQL started here
# with the tables of Debian's kamailio-postgres-modules: the audit finds
# the narrow columns, its ALTERs apply, a re-audit is clean, and a row
# with a full IPv6 socket string then inserts without truncation.
. "$(dirname "$0")/../../lib/harness.sh"

AUDIT=$TOP/build/utils/ip6-dbaudit
# the schema of the kamailio source the modules were built against
if [ -n "${KSR_SRC:-}" ]; then
	SCHEMA=$KSR_SRC/lib/srdb1/schema
else
	SCHEMA=$(ls -d "$TOP"/build/kamailio-*/src/lib/srdb1/schema | head -n 1)
fi
[ -x "$AUDIT" ] || fail "ip6-dbaudit is not built"

# --- the XML schema ---
"$AUDIT" "$SCHEMA" >"$OUT/schema.txt"
rc=$?
[ $rc -eq 1 ] || fail "schema audit exited $rc, expected 1 (findings)"
grep -q "^mohqueues *uri *URI *100 *138" "$OUT/schema.txt" ||
	fail "mohqueues.uri (100) not reported: $(head -n 5 "$OUT/schema.txt")"
grep -qE "^location " "$OUT/schema.txt" && fail "location reported though wide enough"
"$AUDIT" --json "$SCHEMA" >"$OUT/schema.json"
grep -q '"table": "mohqueues", "column": "uri", "kind": "URI", "size": 100, "needed": 138' "$OUT/schema.json" ||
	fail "JSON report: $(head -c 300 "$OUT/schema.json")"
"$AUDIT" --sql mysql "$SCHEMA" >"$OUT/schema.mysql"
grep -qF 'ALTER TABLE `mohqueues` MODIFY `uri` VARCHAR(138) NOT NULL;' "$OUT/schema.mysql" ||
	fail "MySQL ALTER: $(cat "$OUT/schema.mysql")"
# a column declared too narrow in a table file of its own
cat >"$OUT/narrow.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<table id="legacy">
    <name>legacy</name>
    <column><name>socket</name><type>string</type><size>32</size><null/></column>
    <column><name>received</name><type>string</type><size>64</size><default/></column>
    <column><name>src_ip</name><type>string</type><size>15</size></column>
    <column><name>expires</name><type>datetime</type></column>
</table>
XML
"$AUDIT" "$OUT/narrow.xml" >"$OUT/narrow.txt"
[ "$(grep -c '^legacy ' "$OUT/narrow.txt")" = 3 ] || fail "legacy table: $(cat "$OUT/narrow.txt")"
# broken XML: the error names the file and line, exit 2, no crash
printf '<table>\n<name>x</name>\n<column><name>a</column>\n</table>\n' >"$OUT/broken.xml"
"$AUDIT" "$OUT/broken.xml" >/dev/null 2>"$OUT/broken.err"
rc=$?
[ $rc -eq 2 ] || fail "broken XML exited $rc, expected 2"
grep -q "broken.xml:3: Opening and ending tag mismatch" "$OUT/broken.err" ||
	fail "no file:line for broken XML: $(cat "$OUT/broken.err")"
"$AUDIT" "$OUT/missing.xml" >/dev/null 2>"$OUT/missing.err"
[ $? -eq 2 ] && grep -q "missing.xml" "$OUT/missing.err" || fail "a missing file is not an error"
"$AUDIT" --sql oracle "$SCHEMA" >/dev/null 2>&1
[ $? -eq 3 ] || fail "a bad --sql value is not a usage error"
note "schema: $(tail -n 1 "$OUT/schema.txt"); broken XML reported with file:line"

# --- a live PostgreSQL on a loopback port ---
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || fail "no PostgreSQL server (package postgresql)"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
# its data and socket outside the tree: user postgres cannot reach $OUT
# when the clone sits in a 0700 home (root's); removed once it is stopped
PGDIR=$(mktemp -d /tmp/dualstack-pg.XXXXXX) || fail "cannot make a folder for PostgreSQL"
trap 'harness_exit; rm -rf "$PGDIR"' EXIT
chown postgres: "$PGDIR"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$OUT/initdb.log" 2>&1 ||
	fail "initdb failed (see $OUT/initdb.log)"
PGPORT=$(free_port)
# setpriv execs postgres: $! is the postmaster, stopped by its PID
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" \
	-D "$PGDIR/data" -p "$PGPORT" -k "$PGDIR" -c listen_addresses=127.0.0.1 \
	>"$OUT/postgres.log" 2>&1 &
track "$!"
pg_up() { ss -Hlnt "sport = :$PGPORT" | grep -q .; }
wait_for 15 pg_up || fail "PostgreSQL did not start (see $OUT/postgres.log)"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"; }
psql_ -c "CREATE DATABASE kamailio" >/dev/null || fail "cannot create the database"
# standard-create.sql makes the version table the others write to
SQL=/usr/share/kamailio/postgres
psql_ -d kamailio -f "$SQL/standard-create.sql" >/dev/null 2>>"$OUT/create.log" ||
	fail "loading $SQL/standard-create.sql failed"
# (6.0's ims_dialog-create.sql makes a dialog_vars table of its own, the
# name dialog-create.sql uses: the IMS dialog tables go in another
# database, kamdbctl does not load them)
for f in "$SQL"/*-create.sql; do
	case "${f##*/}" in standard-create.sql | ims_dialog-create.sql) continue ;; esac
	psql_ -d kamailio -f "$f" >/dev/null 2>>"$OUT/create.log" || fail "loading $f failed"
done
# an older deployment's narrow socket column
psql_ -d kamailio -c "ALTER TABLE location ALTER COLUMN socket TYPE VARCHAR(32)" >/dev/null
DSN="host=127.0.0.1 port=$PGPORT dbname=kamailio user=postgres"
SOCK='udp:[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:5060'
insert() { psql_ -d kamailio -c "INSERT INTO location (ruid, username, contact, socket) VALUES ('$1', 'alice', 'sip:alice@[::1]', '$SOCK')"; }
insert before >/dev/null 2>"$OUT/insert-before.err" &&
	fail "a 50-character socket string fitted a VARCHAR(32) column"

"$AUDIT" --dsn "$DSN" >"$OUT/db.txt"
rc=$?
[ $rc -eq 1 ] || fail "live audit exited $rc, expected 1: $(cat "$OUT/db.txt")"
grep -q "^location *socket *socket *32 *58" "$OUT/db.txt" || fail "location.socket not found: $(cat "$OUT/db.txt")"
grep -q "^mohqueues *uri " "$OUT/db.txt" || fail "mohqueues.uri not found in the database"
"$AUDIT" --dsn "$DSN" --sql postgres >"$OUT/alter.sql"
psql_ -d kamailio -f "$OUT/alter.sql" >/dev/null || fail "the ALTERs did not apply: $(cat "$OUT/alter.sql")"
"$AUDIT" --dsn "$DSN" >"$OUT/db2.txt"
rc=$?
[ $rc -eq 0 ] || fail "re-audit not clean ($rc): $(cat "$OUT/db2.txt")"
insert after >/dev/null || fail "the IPv6 socket string still does not insert"
[ "$(psql_ -d kamailio -At -c "SELECT socket FROM location WHERE ruid = 'after'")" = "$SOCK" ] ||
	fail "the socket string was not stored whole"
"$AUDIT" --dsn "host=127.0.0.1 port=1 dbname=x user=x" >/dev/null 2>"$OUT/noconn.err"
[ $? -eq 2 ] && grep -q "cannot connect" "$OUT/noconn.err" || fail "an unreachable database is not a clear error"
note "PostgreSQL: $(grep -c . "$OUT/alter.sql") ALTERs applied, re-audit clean, '$SOCK' stored"
