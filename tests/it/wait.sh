#!/bin/bash
# Hundreds of uploads wait at once without a thread each: an API process
# of its own (sync_wait 4 s) takes 200 concurrent upload-and-process
# requests; every one gets its answer (200 when its job finished in time,
# 202 otherwise) while the API process keeps a small, fixed thread count.
. "$(dirname "$0")/lib.sh"
P=$(free_port)
N=200
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
}
trap cleanup EXIT
BOMD_LISTEN=127.0.0.1:$P BOMD_SYNC_WAIT=4 BOMD_RATE_LIMIT=0 \
    "$BOMD" serve --role api > "$STATE/wait-serve.log" 2>&1 &
SPID=$!
wait_for 300 curl -sf "http://127.0.0.1:$P/health" -o /dev/null
APID=$(child_pid "$SPID" api)
printf 'RefDes,Qty,MPN\nR1,1,RC0805FR-0710KL\n' > "$STATE/wait.csv"
mkdir -p "$STATE/wait"
for i in $(seq 1 $N); do
	curl -s -o "$STATE/wait/$i.json" -w '%{http_code}\n' --max-time 60 \
	    -H "X-API-Key: $A_KEY" -F bom_file=@"$STATE/wait.csv" \
	    "http://127.0.0.1:$P/projects/upload-and-process" \
	    > "$STATE/wait/$i.code" &
done
sleep 1
threads=$(awk '/^Threads:/ {print $2}' "/proc/$APID/status")
check "API threads stay few while $N requests wait" "yes" "$([ "${threads:-999}" -le 40 ] && echo yes || echo "no ($threads)")"
wait $(jobs -p | grep -v "^$SPID$") 2>/dev/null
codes=$(cat "$STATE"/wait/*.code | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
check "every request answered 200 or 202" "$N" "$(cat "$STATE"/wait/*.code | grep -cE '^(200|202)$')"
check "answers carry project and job ids" "$N" "$(cat "$STATE"/wait/*.json | jq -r 'select(.project_id and .job_id) | .job_id' | sort -u | wc -l)"
echo "# status codes seen: $codes; api threads: $threads"
summary wait
