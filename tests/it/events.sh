#!/bin/bash
# GET /projects/{id}/events: Server-Sent Events observed to the end.
. "$(dirname "$0")/lib.sh"
H=(-H "X-API-Key: $A_KEY")

r=$(curl -s "${H[@]}" -H 'Prefer: respond-async' -F bom_file=@"$ROOT/tests/fixtures/demo_bom.csv" "$URL/projects/upload-and-process")
P=$(echo "$r" | jq -r .project_id)
curl -s -N --max-time 120 "${H[@]}" "$URL/projects/$P/events" > "$STATE/events.txt"
rc=$?
check "stream ends by itself" "0" "$rc"
check_contains "status events" "event: status" "$(cat "$STATE/events.txt")"
check "last event is done" "event: done" "$(grep '^event:' "$STATE/events.txt" | tail -1)"
check "done says complete" "complete" "$(grep -A1 '^event: done' "$STATE/events.txt" | sed -n 's/^data: //p' | jq -r .status)"
# the trace as GET /projects/{id}/trace shows it: the stored step that
# stands for every line's decision is a step per line (and per check)
curl -s "${H[@]}" "$URL/projects/$P/trace" > "$STATE/events-trace.json"
check "every trace step streamed" "$(jq length "$STATE/events-trace.json")" "$(grep -c '^event: trace' "$STATE/events.txt")"
check "trace events are the project's trace, in order" \
    "$(jq -cS '[.[] | {step, agent, message, timestamp, reasoning}]' "$STATE/events-trace.json")" \
    "$(grep -A1 '^event: trace' "$STATE/events.txt" | sed -n 's/^data: //p' | jq -cS -s .)"
check "a decision step per line streamed" "40" \
    "$(grep -A1 '^event: trace' "$STATE/events.txt" | sed -n 's/^data: //p' | jq -r .message | grep -cE '^line [0-9]+ [^ ]+: (approved|rejected|escalated)$')"
check "more steps streamed than stored" "true" \
    "$(test "$(grep -c '^event: trace' "$STATE/events.txt")" -gt "$(sql "SELECT count(*) FROM trace_steps WHERE project_id = '$P'")" && echo true)"
check "final line count" "40" "$(grep -A1 '^event: status' "$STATE/events.txt" | sed -n 's/^data: //p' | tail -1 | jq .line_items)"
check "every data line is JSON" "0" "$(sed -n 's/^data: //p' "$STATE/events.txt" | while read -r l; do echo "$l" | jq -e . >/dev/null 2>&1 || echo bad; done | grep -c bad)"
ct=$(curl -s -o /dev/null --max-time 30 -w '%{content_type}' "${H[@]}" "$URL/projects/$P/events")
check "content type" "text/event-stream" "$ct"
check "other client gets 404" "404" "$(code --max-time 10 -H "X-API-Key: $B_KEY" "$URL/projects/$P/events")"
check "unknown project 404" "404" "$(code --max-time 10 "${H[@]}" "$URL/projects/00000000-0000-4000-8000-000000000009/events")"
summary events
