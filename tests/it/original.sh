#!/bin/bash
# The original service's own clients against this bomd (issue 14): its e2e
# tests (python-agent/tests/, unchanged; tests/tools/original-e2e/run) and
# every command of its CLI (tests/tools/original-e2e/run-cli). They live
# in the original's repository, precision-bom/precisionBOM, which CI cannot
# reach: set BOMD_ORIGINAL_AGENT to a checkout's python-agent directory to
# run them (Debian packages python3-pytest, python3-pytest-asyncio,
# python3-httpx, python3-dotenv, python3-click, python3-rich).
. "$(dirname "$0")/lib.sh"
set -u
cd "$ROOT"
agent=${BOMD_ORIGINAL_AGENT:-}
if [ -z "$agent" ] || [ ! -f "$agent/tests/conftest.py" ]; then
	echo "# BOMD_ORIGINAL_AGENT is not a checkout of the original's" \
	    "python-agent: its e2e tests and CLI not run"
	summary original
	exit
fi
py=${PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import pytest, pytest_asyncio, httpx, dotenv, click, rich' \
    2>/dev/null; then
	bad "python3 has pytest, pytest-asyncio, httpx, dotenv, click, rich"
	summary original
	exit
fi
T=$(mktemp -d "$STATE/it_original.XXXXXX")
# clients of its own: the tests leave projects and knowledge behind
CA=$("$BOMD" client create --name "Original E2E A" 2>&1)
CB=$("$BOMD" client create --name "Original E2E B" 2>&1)
ADM=$("$BOMD" client create --name "Original E2E Admin" 2>&1)
export BOMD_E2E_URL=$URL
BOMD_E2E_API_KEY=$(echo "$CA" | jq -r .api_key)
BOMD_E2E_CLIENT_ID=$(echo "$CA" | jq -r .client_id)
BOMD_E2E_API_KEY_B=$(echo "$CB" | jq -r .api_key)
BOMD_E2E_CLIENT_B_ID=$(echo "$CB" | jq -r .client_id)
export BOMD_E2E_API_KEY BOMD_E2E_CLIENT_ID BOMD_E2E_API_KEY_B \
    BOMD_E2E_CLIENT_B_ID
BOMD_E2E_ADMIN_SCOPE_KEY=$("$BOMD" key create --client \
    "$(echo "$ADM" | jq -r .client_id)" --scope admin --name e2e 2>&1 |
    jq -r .api_key)
export BOMD_E2E_ADMIN_SCOPE_KEY BOMD_ADMIN_KEY

# pytest's own summary: every test of the original's API passes
tests/tools/original-e2e/run "$agent" -q -p no:randomly > "$T/pytest.log" 2>&1
rc=$?
line=$(grep -E '^=*.*(passed|failed|error)' "$T/pytest.log" | tail -1)
check "the original's e2e tests pass against bomd (pytest exit)" "0" "$rc"
npass=$(echo "$line" | grep -oE '[0-9]+ passed' | cut -d' ' -f1)
check "they are the 57 tests of its API" "57" "${npass:-0}"
[ "$rc" -eq 0 ] || grep -E '^(FAILED|ERROR)' "$T/pytest.log" | head -20
echo "# pytest: $line"

# every command of its CLI
tests/tools/original-e2e/run-cli "$agent" > "$T/cli.log" 2>&1
rc=$?
grep '^not ok' "$T/cli.log"
check "the original's CLI runs every command against bomd" "0" "$rc"
echo "# cli: $(tail -1 "$T/cli.log")"
summary original
