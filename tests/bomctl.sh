#!/bin/bash
# Integration tests for bomctl against a live bomd whose offers catalog is
# loaded (tests/fixtures/offers_demo.csv). Called from tests/integration.sh:
#   tests/bomctl.sh URL API_KEY OTHER_CLIENT_API_KEY BOMCTL_PATH
# Prints "ok - ..."/"not ok - ..." lines, then "bomctl: N passed, M failed".
set -u
if [ $# -ne 4 ]; then
	echo "usage: $0 URL API_KEY OTHER_CLIENT_API_KEY BOMCTL_PATH" >&2
	exit 2
fi
URL=$1
KEY=$2
OTHER_KEY=$3
CTL=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/bomctl-test.XXXXXX)
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
bad() { FAIL=$((FAIL + 1)); echo "not ok - $1${2:+: $2}"; }
check() {	# check NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "want '$2', got '$3'"; fi
}
check_contains() {	# check_contains NAME NEEDLE HAYSTACK
	case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "'$2' not in '$3'" ;; esac
}
finish() {
	echo "bomctl: $PASS passed, $FAIL failed"
	rm -rf "$TMP"
}
trap finish EXIT

# run ARGS...: runs bomctl with $KEY; sets OUT, ERR and RC
run() {
	OUT=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$KEY "$CTL" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
	cat "$TMP/err" >> "$TMP/all.err"
}
# run_env [-u VAR] [VAR=VALUE]... -- ARGS...: like run with another
# environment (later assignments win; -u drops the default for VAR)
run_env() {
	local unset=() envs=() e
	while [ "$1" != "--" ]; do
		if [ "$1" = "-u" ]; then unset+=("$2"); shift
		else envs+=("$1"); fi
		shift
	done
	shift
	for e in BOMCTL_URL="$URL" BOMCTL_API_KEY="$KEY"; do
		case " ${unset[*]-} " in *" ${e%%=*} "*) ;; *) envs=("$e" ${envs[@]+"${envs[@]}"}) ;; esac
	done
	OUT=$(env ${unset[@]+$(printf -- '-u %s ' "${unset[@]}")} \
	    ${envs[@]+"${envs[@]}"} "$CTL" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
	cat "$TMP/err" >> "$TMP/all.err"
}
lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

# --- help, version, usage ----------------------------------------------
run --help
check "--help exits 0" "0" "$RC"
missing=""
for word in submit --intake --wait --async projects --limit show trace \
    "jobs show" --json --help --version BOMCTL_URL BOMCTL_API_KEY; do
	case "$OUT" in *"$word"*) ;; *) missing="$missing $word" ;; esac
done
check "--help names every command, option and variable" "" "$missing"
run --version
check "--version exits 0" "0" "$RC"
check_contains "--version names the program" "bomctl " "$OUT"
run_env -u BOMCTL_API_KEY -- --version
check "--version needs no key" "0" "$RC"
run
check "no command is a usage error" "2" "$RC"
run frobnicate
check "unknown command is a usage error" "2" "$RC"
check_contains "usage error is prefixed" "bomctl: " "$ERR"
run projects --limit abc
check "bad --limit is a usage error" "2" "$RC"
run submit
check "submit without a file is a usage error" "2" "$RC"
run show
check "show without an id is a usage error" "2" "$RC"
run jobs list
check "unknown jobs subcommand is a usage error" "2" "$RC"
run_env -u BOMCTL_API_KEY -- projects
check "missing BOMCTL_API_KEY is a usage error" "2" "$RC"
check_contains "missing key is named" "BOMCTL_API_KEY" "$ERR"
run_env BOMCTL_URL=ftp://x -- projects
check "non-http BOMCTL_URL is a usage error" "2" "$RC"

# --- submit and read back -----------------------------------------------
run submit tests/fixtures/demo_bom.csv --intake tests/fixtures/demo_intake.yaml
check "submit waits and exits 0" "0" "$RC"
check_contains "submit reports complete" "complete" "$OUT"
P=$(printf '%s\n' "$OUT" | sed -n 's/^project \([0-9a-f-]\{36\}\): .*/\1/p')
J=$(printf '%s\n' "$OUT" | sed -n 's/^job \([0-9a-f-]\{36\}\)$/\1/p')
check "submit prints the project id" "36" "${#P}"
check "submit prints the job id" "36" "${#J}"

run --json submit tests/fixtures/demo_bom.csv --intake tests/fixtures/demo_intake.yaml
check "submit --json exits 0" "0" "$RC"
check "submit --json is the server's answer" "complete" \
    "$(printf '%s' "$OUT" | jq -r .status)"
check "submit --json fields" '["job_id","message","project_id","status"]' \
    "$(printf '%s' "$OUT" | jq -c 'keys')"

run projects
check "projects exits 0" "0" "$RC"
check_contains "projects lists the project" "$P" "$OUT"
check_contains "projects has a header" "PROJECT" "$(printf '%s\n' "$OUT" | head -1)"
run --json projects
check "projects --json lists the project" "true" \
    "$(printf '%s' "$OUT" | jq --arg p "$P" 'map(.project_id) | index($p) != null')"
run --json projects --limit 1
check "projects --limit 1" "1" "$(printf '%s' "$OUT" | jq length)"

run show "$P"
check "show exits 0" "0" "$RC"
check_contains "show has a decision header" "DECISION" "$OUT"
check_contains "show has a totals line" "totals: " "$OUT"
check "show has one row per line item" "40" \
    "$(printf '%s\n' "$OUT" | grep -cE '^ *[0-9]+ ')"
check "show fits 100 columns" "0" \
    "$(printf '%s\n' "$OUT" | awk '{ if (length($0) > 100) n++ } END { print n + 0 }')"
check_contains "show has the avoided part rejected" "rejected" \
    "$(printf '%s\n' "$OUT" | grep 'LM358DR')"
check "show money has 2 to 6 decimals" "0" \
    "$(printf '%s\n' "$OUT" | grep -E '^ *[0-9]+ ' | awk '{ print $6; print $7 }' | grep -vcE '^(-|[0-9]+\.[0-9]{2,6})$')"
run --json show "$P"
check "show --json is parsable" "40" "$(printf '%s' "$OUT" | jq '.line_items | length')"
check "show --json is pretty" "true" "$([ "$(lines "$OUT")" -gt 40 ] && echo true)"
total=$(printf '%s' "$OUT" | jq -r '.totals.extended_price_micros')
run show "$P"
whole=$((total / 1000000))
check_contains "show totals match the server" "cost $whole." \
    "$(printf '%s\n' "$OUT" | grep '^totals: ')"

run --json trace "$P"
check "trace --json exits 0" "0" "$RC"
nsteps=$(printf '%s' "$OUT" | jq length)
check "trace --json has steps" "true" "$([ "${nsteps:-0}" -gt 3 ] && echo true)"
run trace "$P"
check "trace exits 0" "0" "$RC"
check "trace prints one line per step" "$nsteps" "$(lines "$OUT")"
check "trace lines start with a timestamp" "$nsteps" \
    "$(printf '%s\n' "$OUT" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z +[a-z_]+ +[a-z_]+ ')"
check_contains "trace names the intake step" "intake" "$(printf '%s\n' "$OUT" | head -1)"

run jobs show "$J"
check "jobs show exits 0" "0" "$RC"
check_contains "jobs show status" "complete" "$(printf '%s\n' "$OUT" | grep '^status')"
check_contains "jobs show project" "$P" "$OUT"
run --json jobs show "$J"
check "jobs show --json" "complete $P" \
    "$(printf '%s' "$OUT" | jq -r '"\(.status) \(.project_id)"')"

# --- async ---------------------------------------------------------------
run submit tests/fixtures/demo_bom.csv --async
check "submit --async exits 0" "0" "$RC"
check "submit --async prints only the job id" "36 1" "${#OUT} $(lines "$OUT")"
JA=$OUT
for _ in $(seq 1 100); do
	run --json jobs show "$JA"
	[ "$(printf '%s' "$OUT" | jq -r .status 2>/dev/null)" = "complete" ] && break
	sleep 0.1
done
check "async job completes" "complete" "$(printf '%s' "$OUT" | jq -r .status)"
run submit tests/fixtures/demo_bom.csv --async --wait
check "submit --async --wait exits 0" "0" "$RC"
check_contains "submit --async --wait shows progress" "job " \
    "$(printf '%s\n' "$OUT" | head -1)"
check_contains "submit --async --wait ends complete" "complete" \
    "$(printf '%s\n' "$OUT" | grep '^project ')"
run --json submit tests/fixtures/demo_bom.csv --async --wait
check "submit --json --async --wait prints the job" "complete" \
    "$(printf '%s' "$OUT" | jq -r .status)"

# --- errors ----------------------------------------------------------------
run_env BOMCTL_API_KEY=bk_nope -- show "$P"
check "bad key exits 4" "4" "$RC"
check_contains "bad key message" "bomctl: the server refused the API key (401): " "$ERR"
check "errors are one line" "1" "$(lines "$ERR")"
run show 00000000-0000-4000-8000-000000000000
check "unknown project exits 5" "5" "$RC"
check "unknown project message" \
    "bomctl: Project not found: 00000000-0000-4000-8000-000000000000" "$ERR"
run trace 00000000-0000-4000-8000-000000000000
check "unknown project trace exits 5" "5" "$RC"
run jobs show no-such-job
check "unknown job exits 5" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- show "$P"
check "other client cannot show the project" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- jobs show "$J"
check "other client cannot show the job" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- --json projects
check "other client does not list the project" "false" \
    "$(printf '%s' "$OUT" | jq --arg p "$P" 'map(.project_id) | index($p) != null')"
for _ in $(seq 1 50); do
	down=$(( 20000 + RANDOM % 20000 ))
	(exec 3<>/dev/tcp/127.0.0.1/$down) 2>/dev/null || break
done
run_env BOMCTL_URL=http://127.0.0.1:$down -- projects
check "server down exits 3" "3" "$RC"
check_contains "server down message" "bomctl: cannot reach http://127.0.0.1:$down: " "$ERR"
printf 'RefDes,Qty,MPN\n' > "$TMP/header.csv"
run submit "$TMP/header.csv"
check "rejected BOM exits 1" "1" "$RC"
check_contains "rejected BOM shows the HTTP code and detail" \
    "bomctl: HTTP 400: No valid line items found in BOM" "$ERR"
run submit "$TMP/absent.csv"
check "unreadable BOM exits 1" "1" "$RC"
check_contains "unreadable BOM names the file" "absent.csv" "$ERR"

if grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/all.err"; then
	bad "sanitizers clean in bomctl" "$(grep -m3 'Sanitizer\|runtime error' "$TMP/all.err")"
else
	ok "sanitizers clean in bomctl"
fi
[ "$FAIL" -eq 0 ]
