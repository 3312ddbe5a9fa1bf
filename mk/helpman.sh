#!/bin/sh
# Write a man page (roff) from a tool's --help, which is laid out as one:
# section headings in capitals at the left margin (NAME, SYNOPSIS, ...),
# their text indented by four spaces. NAME becomes the whatis line, the
# other sections keep the layout of --help (no filling), so the page and
# --help say the same, from one source.
# usage: helpman.sh TOOL VERSION >tool.1
set -eu

tool=${1:?usage: helpman.sh TOOL VERSION}
version=${2:?usage: helpman.sh TOOL VERSION}
name=$(basename "$tool")
# the date of the release (dpkg-buildpackage sets it from debian/changelog)
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

"$tool" --help | awk -v name="$name" -v version="$version" -v date="$date" '
function roff(s)
{
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.'"'"']/)
		s = "\\&" s
	return s
}
BEGIN {
	printf ".TH %s 1 \"%s\" \"dualstack %s\" \"dualstack\"\n", toupper(name), date, version
}
/^[A-Z][A-Z ]*$/ {
	if (sect != "" && sect != "NAME")
		print ".fi"
	sect = $0
	print ".SH " sect
	if (sect != "NAME")
		print ".nf"
	next
}
sect == "" { next }
{ sub(/^    /, "") }
sect == "NAME" {
	if ($0 != "")
		print roff($0)
	next
}
{ print roff($0) }
END {
	if (sect != "NAME")
		print ".fi"
}'
