#!/bin/bash
# The README quick start in a clean clone: `make demo` (twice) prints the
# decision table, the report and the strategies, the README's redis-cli line submits a job that lands
# under its client, `make demo-stop` stops everything it started.
. "$(dirname "$0")/lib.sh"
CLONE=$STATE/readme-clone
export BOMD_DEMO_DIR=$STATE/readme-demo
cleanup() { (cd "$CLONE" 2>/dev/null && make demo-stop >/dev/null 2>&1); }
trap cleanup EXIT
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	git clone -q "$ROOT" "$CLONE" || { bad "clone"; summary readme; exit 1; }
	# run what the working tree has, committed or not (CI: the same)
	(cd "$ROOT" && git ls-files -m -o --exclude-standard -z |
	    xargs -0 -r tar -cf - 2>/dev/null) | (cd "$CLONE" && tar -xf -)
else
	# a tree without git (a copy): the same files, without build output
	mkdir -p "$CLONE"
	(cd "$ROOT" && tar --exclude=./build --exclude=./bin --exclude=./.demo \
	    -cf - .) | (cd "$CLONE" && tar -xf -)
fi
cd "$CLONE" || exit 1
check_contains "README shows make demo" "make demo" "$(cat README.md)"
check_contains "README shows make check" "make check" "$(cat README.md)"
# the services the demo starts are its own: hide the suite's
unset BOMD_DATABASE_URL BOMD_REDIS_URL BOMD_LISTEN BOMD_ADMIN_KEY

out=$(timeout 300 make demo 2>&1)
rc=$?
echo "$out" > "$STATE/readme-demo-1.log"
check "make demo exits 0" "0" "$rc"
check_contains "demo job completes" "complete — BOM processed" "$out"
check "decision table has 40 rows" "40" "$(echo "$out" | grep -cE '^ *[0-9]+ +[^ ]+ +(approved|rejected|escalated) ')"
check_contains "avoided part rejected" "rejected" "$(echo "$out" | grep -E '^ *[0-9]+ +LM358DR ')"
check_contains "banned part replaced by its alternate" "AMS1117-3.3>LM1117IMPX-" "$(echo "$out" | grep -E 'AMS1117-3.3')"
check_contains "missing part escalated" "escalated" "$(echo "$out" | grep -E '^ *[0-9]+ +BQ25895RTWR ')"
check_contains "totals line" "totals: 31 approved, 3 rejected, 6 escalated" "$out"
check_contains "the report under the table" "risk: high" "$out"
check_contains "the strategies" "Lowest total cost: " "$out"
check "blocked supplier never chosen" "0" "$(echo "$out" | grep -c ' fastchip ')"

out=$(timeout 300 make demo 2>&1)
rc=$?
check "make demo runs again" "0" "$rc"
check_contains "second run decides again" "totals: 31 approved, 3 rejected, 6 escalated" "$out"

# the README's redis-cli line, with the demo client's id
line=$(grep -m1 "redis-cli XADD bomd:jobs" README.md | sed 's/^ *//')
client=$(jq -r .client_id "$BOMD_DEMO_DIR/client.json")
rport=$(cat "$BOMD_DEMO_DIR/redis.port")
line=${line//CLIENT_ID/$client}
line=${line/redis-cli/redis-cli -p $rport}
eval "$line" >/dev/null
pgq() { psql -X -A -t -q -h "$BOMD_DEMO_DIR/pg" -p "$(cat "$BOMD_DEMO_DIR/pg.port")" -U postgres bomd -c "$1"; }
wait_for 100 test "$(pgq "SELECT status FROM jobs WHERE job_id = 'my-key-1'")" = complete
check "README redis-cli job completes" "complete" "$(pgq "SELECT status FROM jobs WHERE job_id = 'my-key-1'")"
check "it lands under its client" "$client" "$(pgq "SELECT p.client_id FROM projects p JOIN jobs j USING (client_id, project_id) WHERE j.job_id = 'my-key-1'")"

pid=$(cat "$BOMD_DEMO_DIR/serve.pid")
make demo-stop >/dev/null 2>&1
check "demo-stop stops bomd" "gone" "$(kill -0 "$pid" 2>/dev/null && echo alive || echo gone)"
check "demo-stop stops redis" "gone" "$(redis-cli -p "$rport" ping >/dev/null 2>&1 && echo alive || echo gone)"
summary readme
