#!/bin/bash
# GET /metrics: Prometheus text with queue depth, jobs by state, the job
# latency histogram, HTTP requests by route and code, LLM totals.
. "$(dirname "$0")/lib.sh"

curl -s -H "X-API-Key: $A_KEY" "$URL/projects" >/dev/null
curl -s "$URL/no-such-route" >/dev/null
m=$(curl -s -D "$STATE/metrics.h" "$URL/metrics")
check "metrics needs no key" "200" "$(code "$URL/metrics")"
check_contains "metrics content type" "text/plain; version=0.0.4" "$(cat "$STATE/metrics.h")"
check "queue depth is a number" "1" "$(echo "$m" | grep -cE '^bomd_queue_depth [0-9]+$')"
check "dead jobs counted" "1" "$(echo "$m" | grep -cE '^bomd_dead_jobs [0-9]+$')"
check "jobs by state" "5" "$(echo "$m" | grep -cE '^bomd_jobs\{state="(queued|running|complete|failed|dead)"\} [0-9]+$')"
want=$(sql "SELECT count(*) FROM jobs WHERE status = 'complete'")
check "complete jobs match the database" "bomd_jobs{state=\"complete\"} $want" "$(echo "$m" | grep '^bomd_jobs{state="complete"}')"
check "histogram count matches" "bomd_job_duration_seconds_count $want" "$(echo "$m" | grep '^bomd_job_duration_seconds_count')"
check "histogram +Inf bucket" "1" "$(echo "$m" | grep -c '^bomd_job_duration_seconds_bucket{le="+Inf"}')"
check_contains "requests by route and code" 'bomd_http_requests_total{method="GET",route="/projects",code="200"}' "$m"
check_contains "unmatched routes counted" 'route="unmatched",code="404"' "$m"
check "llm calls counted" "1" "$(echo "$m" | grep -cE '^bomd_llm_calls_total [0-9]+$')"
check "every sample line is well formed" "0" "$(echo "$m" | grep -v '^#' | grep -cvE '^[a-z_]+(\{.*\})? -?[0-9.e+]+$')"
check "postgres up" "bomd_postgres_up 1" "$(echo "$m" | grep '^bomd_postgres_up')"
summary metrics
