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
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d /tmp/bomctl-test.XXXXXX)
. tests/it/lib.sh
FAKE_PID=""
CLEANUP=""	# run with $KEY before the summary (undo what the tests made)
finish() {
	if [ -n "$CLEANUP" ]; then eval "$CLEANUP"; fi
	if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
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
    "jobs show" --json --help --version BOMCTL_URL BOMCTL_API_KEY \
    "parts [list]" "parts show" "parts ban" "parts unban" "parts alternates" \
    "parts add-alternate" --reason --user "suppliers [list]" \
    "suppliers show" "suppliers add" "suppliers trust" --name --type --trust \
    authorized broker direct blocked events; do
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
# options are parsed with getopt_long: one line on stderr, exit 2
run projects --limt 5
check "unknown option is a usage error, one line" "2 1" "$RC $(lines "$ERR")"
check "unknown option is named" \
    "bomctl: projects: unknown option --limt (see bomctl --help)" "$ERR"
run projects --limit
check "--limit without a value is a usage error, one line" "2 1" \
    "$RC $(lines "$ERR")"
run submit tests/fixtures/demo_bom.csv --intake
check "submit --intake without a value is a usage error, one line" "2 1" \
    "$RC $(lines "$ERR")"
check_contains "missing value is named" "submit: --intake needs a value" "$ERR"
run submit tests/fixtures/demo_bom.csv --bogus
check "submit with an unknown option is a usage error" "2 1" \
    "$RC $(lines "$ERR")"
run --bogus projects
check "unknown global option is a usage error" "2 1" "$RC $(lines "$ERR")"
run jobs show -x abc
check "unknown short option is a usage error" "2 1" "$RC $(lines "$ERR")"
run jobs show
check "jobs show without an id is a usage error" "2" "$RC"
run show a b
check "show with two ids is a usage error" "2" "$RC"
run jobs show --help
check "--help after a subcommand's name exits 0" "0" "$RC"
check_contains "--help after a subcommand prints the usage" "usage: bomctl" "$OUT"

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
run projects --limit=1 --json
check "--json among a command's options" "0 1" \
    "$RC $(printf '%s' "$OUT" | jq length)"

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
check "trace prints one line per step (reasoning under it)" "$nsteps" "$(printf '%s\n' "$OUT" | grep -vc '^    ')"
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
down=$(free_port)
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

# --- progress through the event stream (not a terminal here) ---------------
run submit tests/fixtures/demo_bom.csv --async --wait
check "--async --wait with events exits 0" "0" "$RC"
JP=$(printf '%s\n' "$OUT" | sed -n 's/^job \([0-9a-f-]\{36\}\)$/\1/p')
check "--async --wait prints the job id" "36" "${#JP}"
prog=$(printf '%s\n' "$OUT" | grep "^job $JP: ")
check "progress: plain status lines only" "0" \
    "$(printf '%s\n' "$prog" | grep -vcE "^job $JP: (queued|enriching|decisioning|complete|failed)(, [0-9]+ line items)?$")"
check "progress: one line per status change" "0" \
    "$(printf '%s\n' "$prog" | sed 's/,.*//' | uniq -d | wc -l)"
check "progress: last status line is complete with its lines" \
    "job $JP: complete, 40 line items" "$(printf '%s\n' "$prog" | tail -1)"
check "progress: no carriage returns off a terminal" "0" \
    "$(printf '%s' "$OUT" | tr -cd '\r' | wc -c)"
check "progress: no fallback to polling" "" "$ERR"
check_contains "progress: final line unchanged" "complete" \
    "$(printf '%s\n' "$OUT" | grep '^project ')"
run --json submit tests/fixtures/demo_bom.csv --async --wait
check "--json --async --wait: stdout is one JSON job" "complete" \
    "$(printf '%s' "$OUT" | jq -r .status)"
check "--json --async --wait: stderr quiet off a terminal" "" "$ERR"
if command -v script >/dev/null 2>&1; then
	OUT=$(BOMCTL_URL=$URL BOMCTL_API_KEY=$KEY timeout 120 script -qec \
	    "'$CTL' submit tests/fixtures/demo_bom.csv --async --wait" /dev/null \
	    2>&1)
	RC=$?
	check "terminal progress exits 0" "0" "$RC"
	check_contains "terminal progress draws a full bar" "[##########] complete" "$OUT"
	check_contains "terminal progress redraws in place" $'\r[' "$OUT"
	check_contains "terminal progress ends with the project" "complete" \
	    "$(printf '%s\n' "$OUT" | tr -d '\r' | grep '^project ')"
fi

# --- fallback to polling, SSE parsing (a fake server) -----------------------
if command -v python3 >/dev/null 2>&1; then
	cat > "$TMP/fake.py" <<'EOF'
import http.server, json, sys, time
P = "11111111-2222-4333-8444-555555555555"
J = "66666666-7777-4888-8999-000000000000"
calls = {}
def ev(name, obj):
    return "event: %s\ndata: %s\n\n" % (name, json.dumps(obj))
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def send(self, code, body, ctype="application/json", pieces=1):
        b = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        step = max(1, len(b) // pieces)
        for i in range(0, len(b), step):
            self.wfile.write(b[i:i + step])
            self.wfile.flush()
            if pieces > 1:
                time.sleep(0.02)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send(202, {"project_id": P, "job_id": J, "status": "queued",
                        "message": "queued"})
    def do_GET(self):
        key = self.headers.get("X-API-Key", "")
        if self.path == "/health":
            return self.send(200, {"status": "healthy"})
        if self.path == "/projects/%s/events" % P:
            st = lambda s, n: ev("status", {"project_id": P, "status": s,
                "line_items": n, "job_status": "running", "totals": None})
            if key == "k404":
                return self.send(404, {"detail": "Not Found"})
            if key == "kfail":
                body = (st("queued", 0) + ": keep-alive\n\n" +
                        st("failed", 3) +
                        ev("done", {"project_id": P, "status": "failed"}))
            elif key == "kcrlf":
                body = (": keep-alive\n\n" + st("enriching", 0) +
                        ev("trace", {"step": "intake", "agent": "intake",
                           "message": "m", "timestamp": "t"}) +
                        st("decisioning", 7) + st("complete", 7) +
                        ev("done", {"project_id": P, "status": "complete"})
                        ).replace("\n", "\r\n")
                return self.send(200, body.encode(), "text/event-stream", 9)
            else:   # the stream ends before the job
                body = st("queued", 0)
            return self.send(200, body.encode(), "text/event-stream")
        if self.path == "/jobs/" + J:
            c = calls[key] = calls.get(key, 0) + 1
            s = {"kfail": "failed"}.get(key, "running" if c == 1 else "complete")
            return self.send(200, {"job_id": J, "project_id": P, "status": s,
                "attempts": 1, "error": "boom" if s == "failed" else None})
        self.send(404, {"detail": "Not Found"})
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
	FPORT=$(free_port)
	python3 "$TMP/fake.py" "$FPORT" 2>"$TMP/fake.err" &
	FAKE_PID=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$FPORT/health" >/dev/null 2>&1 && break
		sleep 0.1
	done
	FJ=66666666-7777-4888-8999-000000000000
	# fake_submit KEY [ARGS...]: bomctl submit of the demo BOM to the
	# fake server, which answers by KEY
	fake_submit() {
		run_env BOMCTL_URL="http://127.0.0.1:$FPORT" \
		    BOMCTL_API_KEY="$1" -- \
		    submit tests/fixtures/demo_bom.csv "${@:2}"
	}
	# the job lines of OUT, joined by "|"
	progress() { printf '%s\n' "$OUT" | grep "^job $FJ: " | paste -sd'|'; }
	fake_submit k404 --async --wait
	check "no events route: falls back to polling, exits 0" "0" "$RC"
	check_contains "fallback is said once on stderr" "no progress stream (HTTP 404" "$ERR"
	check "fallback prints the polled job states" "job $FJ: running|job $FJ: complete" \
	    "$(progress)"
	check_contains "fallback final line" "project 11111111-2222-4333-8444-555555555555: complete" "$OUT"
	fake_submit kcut --async --wait
	check "stream ending early: falls back, exits 0" "0" "$RC"
	check_contains "stream ending early is named" "the stream ended before the job" "$ERR"
	fake_submit kcrlf --async --wait
	check "CRLF stream in pieces with comments: exits 0" "0" "$RC"
	check "CRLF stream: one line per status" \
	    "job $FJ: enriching|job $FJ: decisioning, 7 line items|job $FJ: complete, 7 line items" \
	    "$(progress)"
	check "CRLF stream: no fallback" "" "$ERR"
	fake_submit kfail --async --wait
	check "failed job through events exits 1" "1" "$RC"
	check_contains "failed job progress" "job $FJ: failed, 3 line items" "$OUT"
	check "failed job error line" "bomctl: job $FJ failed: boom" "$ERR"
	fake_submit kfail
	check "server answering 202 to --wait follows the job too" \
	    "1 bomctl: job $FJ failed: boom" "$RC $ERR"
	kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; FAKE_PID=""
else
	ok "python3 absent: fake-server checks skipped"
fi

# --- parts --------------------------------------------------------------
R=$RANDOM$$
PB=BCTL-$R-PART
PS=BCTL-$R-SL/ASH
PA=BCTL-$R-ALT/2
CLEANUP='run parts unban "$PB"; run parts unban "$PS"'
run parts ban "$PB"
check "ban without --reason is a usage error" "2" "$RC"
check_contains "missing --reason is named" "--reason is required" "$ERR"
run parts ban "$PB" --reason
check "--reason without a value is a usage error" "2" "$RC"
run parts ban "$PB" --reason x --bogus y
check "unknown option is a usage error" "2" "$RC"
run parts frobnicate
check "unknown parts subcommand is a usage error" "2" "$RC"
run parts show
check "parts show without an MPN is a usage error" "2" "$RC"
run parts add-alternate "$PB"
check "add-alternate without ALT is a usage error" "2" "$RC"
run parts --limit abc
check "parts --limit abc is a usage error" "2" "$RC"
run parts ban --help
check "--help after a subcommand exits 0" "0" "$RC"

run parts show "$PB"
check "unknown part exits 5" "5" "$RC"
check "unknown part message" "bomctl: Part not found: $PB" "$ERR"
run parts ban "$PB" --reason "bctl counterfeit risk" --user qa@example.com
check "parts ban exits 0" "0" "$RC"
check "parts ban says so" "part $PB banned: bctl counterfeit risk" "$OUT"
run --json parts show "$PB"
check "parts show --json" "$PB true bctl counterfeit risk" \
    "$(printf '%s' "$OUT" | jq -r '"\(.mpn) \(.banned) \(.ban_reason)"')"
run parts show "$PB"
check "parts show exits 0" "0" "$RC"
check "parts show names the ban" "banned        yes: bctl counterfeit risk" \
    "$(printf '%s\n' "$OUT" | grep '^banned')"
run parts
check "parts exits 0" "0" "$RC"
check_contains "parts has a header" "MPN" "$(printf '%s\n' "$OUT" | head -1)"
check "parts lists the banned part" "yes 0 0 bctl counterfeit risk" \
    "$(printf '%s\n' "$OUT" | awk -v m="$PB" '$1 == m { $1 = ""; print substr($0, 2) }')"
check "parts fits 100 columns" "0" \
    "$(printf '%s\n' "$OUT" | awk '{ if (length($0) > 100) n++ } END { print n + 0 }')"
run --json parts --limit 1000
check "parts --json lists the part" "true" \
    "$(printf '%s' "$OUT" | jq --arg m "$PB" 'map(.mpn) | index($m) != null')"
run --json parts list --limit=1
check "parts --limit=1" "1" "$(printf '%s' "$OUT" | jq length)"
run parts alternates "$PB"
check "no alternates" "$PB has no approved alternates" "$OUT"
run parts alternates "BCTL-$R-NOPE"
check "alternates of an unknown part exits 5" "5" "$RC"

# an MPN with '/' goes out percent-encoded
run parts ban "$PS" --reason "bctl slash"
check "ban an MPN with '/'" "0 part $PS banned: bctl slash" "$RC $OUT"
run --json parts show "$PS"
check "show an MPN with '/'" "$PS true" "$(printf '%s' "$OUT" | jq -r '"\(.mpn) \(.banned)"')"
run parts add-alternate "$PS" "$PA" --reason "bctl drop-in" --user eng
check "add-alternate with '/' in both" "0 $PA approved as an alternate to $PS (alternates now: 1)" "$RC $OUT"
run parts alternates "$PS"
check "alternates table" "$PA eng bctl drop-in" \
    "$(printf '%s\n' "$OUT" | awk -v m="$PA" '$1 == m { print $1, $3, $4, $5 }')"
run --json parts alternates "$PS"
check "alternates --json" "[\"$PA\"]" "$(printf '%s' "$OUT" | jq -c .)"
run parts show "BCTL-$R-SL/NOPE"
check "unknown MPN with '/' is 5 with the whole MPN" "5 bomctl: Part not found: BCTL-$R-SL/NOPE" "$RC $ERR"

# tenant isolation: the other client sees none of it
run_env BOMCTL_API_KEY="$OTHER_KEY" -- parts show "$PB"
check "other client cannot see the ban" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- parts alternates "$PS"
check "other client cannot see the alternates" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- --json parts --limit 1000
check "other client's parts list has none of ours" "0" \
    "$(printf '%s' "$OUT" | jq --arg p "BCTL-$R-" '[.[] | select(.mpn | startswith($p))] | length')"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- parts unban "$PB"
check "other client cannot unban" "5" "$RC"

run parts unban "$PB"
check "parts unban" "0 part $PB unbanned" "$RC $OUT"
run --json parts show "$PB"
check "unban cleared the ban" "false null" "$(printf '%s' "$OUT" | jq -r '"\(.banned) \(.ban_reason)"')"
run parts unban "BCTL-$R-NOPE"
check "unban of an unknown part exits 5" "5" "$RC"

# --- suppliers ---------------------------------------------------------------
S=bctl-$R-sup
CLEANUP="$CLEANUP"'; run suppliers trust "$S" medium --reason "bctl cleanup"'
run suppliers add "$S"
check "suppliers add without --name is a usage error" "2" "$RC"
run suppliers trust "$S"
check "suppliers trust without a level is a usage error" "2" "$RC"
run suppliers frobnicate
check "unknown suppliers subcommand is a usage error" "2" "$RC"
run suppliers show "$S"
check "unknown supplier exits 5" "5 bomctl: Supplier not found: $S" "$RC $ERR"
run suppliers add "$S" --name "BCTL Supply $R" --type broker --trust low
check "suppliers add" "0 supplier $S added: BCTL Supply $R, broker, trust low" "$RC $OUT"
run suppliers add "$S" --name again
check "duplicate supplier exits 1 with the server's detail" \
    "1 bomctl: HTTP 400: Supplier already exists: $S" "$RC $ERR"
run suppliers add "bctl-$R-bad" --name X --type wholesale
check "invalid supplier type exits 1 with the server's detail" \
    "1 bomctl: HTTP 400: Invalid supplier type: wholesale" "$RC $ERR"
run --json suppliers show "$S"
check "suppliers show --json" "$S BCTL Supply $R broker low 1" \
    "$(printf '%s' "$OUT" | jq -r '"\(.supplier_id) \(.name) \(.supplier_type) \(.trust_level) \(.on_time_rate)"')"
run suppliers show "$S"
check "suppliers show" "trust         low" "$(printf '%s\n' "$OUT" | grep '^trust')"
run suppliers
check "suppliers exits 0" "0" "$RC"
check_contains "suppliers has a header" "SUPPLIER" "$(printf '%s\n' "$OUT" | head -1)"
check "suppliers lists ours" "broker low 1.00 1.00 BCTL Supply $R" \
    "$(printf '%s\n' "$OUT" | awk -v s="$S" '$1 == s { $1 = ""; print substr($0, 2) }')"
run --json suppliers --limit 1000
check "suppliers --json lists ours" "true" \
    "$(printf '%s' "$OUT" | jq --arg s "$S" 'map(.supplier_id) | index($s) != null')"
run suppliers trust "$S" sketchy
check "invalid trust level exits 1" "1" "$RC"
check "invalid trust level shows the server's detail" \
    "bomctl: HTTP 400: Invalid trust level: sketchy" "$ERR"
run suppliers trust "$S" blocked --reason "bctl late deliveries" --user buyer
check "suppliers trust" "0 supplier $S trust: blocked" "$RC $OUT"
run --json suppliers trust "$S" high
check "suppliers trust --json" "high" "$(printf '%s' "$OUT" | jq -r .trust_level)"
run suppliers trust "bctl-$R-nope" low
check "trust of an unknown supplier exits 5" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- suppliers show "$S"
check "other client cannot see the supplier" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- suppliers trust "$S" blocked
check "other client cannot set its trust" "5" "$RC"
run_env BOMCTL_API_KEY="$OTHER_KEY" -- --json suppliers --limit 1000
check "other client's supplier list has none of ours" "0" \
    "$(printf '%s' "$OUT" | jq --arg p "bctl-$R-" '[.[] | select(.supplier_id | startswith($p))] | length')"

if grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$TMP/all.err"; then
	bad "sanitizers clean in bomctl" "$(grep -m3 'Sanitizer\|runtime error' "$TMP/all.err")"
else
	ok "sanitizers clean in bomctl"
fi
[ "$FAIL" -eq 0 ]
