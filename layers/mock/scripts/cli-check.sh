#!/bin/bash
# cli-check.sh: runs the OFFICIAL Codex CLI (npm @openai/codex 0.169.0) with its BUILT-IN ChatGPT
# provider against `clanka-mock --tls`, inside a private network namespace that has nothing but
# loopback (the official CLI never runs outside one).
#
# usage: layers/mock/scripts/cli-check.sh [MOCK_BINARY]     (as root: it needs `unshare -n`)
#   MOCK_BINARY  the clanka-mock binary; default: built with `cargo build -p clanka-mock`
#                into the repository's target directory (or $CARGO_TARGET_DIR)
#
# For each transport in $TRANSPORTS (default "ws http"; http = the mock answers WebSocket
# upgrades with 426) it starts the mock, mints a ChatGPT sign-in with POST /__mock/tokens
# (auth.json), points `chatgpt_base_url` and `openai_base_url` at the mock, trusts the mock's
# CA through CODEX_CA_CERTIFICATE, and runs `codex exec --json` through these steps, each with
# a fresh CODEX_HOME:
#   plain    one turn: the mock answers a message
#   tool     function_call exec_command {"cmd":"echo cli-check-tool-ok"}, then a message; the
#            mock must see the call's output, echoed turn state (http) and a catalogue fetch
#   compact  like tool, but the first answer reports 900000 input tokens with
#            model_auto_compact_token_limit=$COMPACT_LIMIT: exactly one compaction request
#            (input ending with compaction_trigger), then a request replaying the compaction item
# Exits non-zero if any step fails.
#
# env: CODEX (codex binary; default $CODEX_CACHE/node_modules/.bin/codex, installed there with
#      npm when missing), CODEX_CACHE (default ~/.cache/clanka/codex-cli), MODEL (gpt-5.5),
#      COMPACT_LIMIT (50000), TIMEOUT (120 s per codex run), OUT (results; default mktemp),
#      TRANSPORTS ("ws http"), STEPS ("plain tool compact"), PORT (18443),
#      COMPACTION_FAULT (a scenario compaction_fault for the compact step, e.g. '"no_item"' or
#      '{"http_error":{"kind":"server_error"}}': the step is then expected to FAIL),
#      TIME_FILE (append each codex run's wall time in seconds and peak RSS in KB, from
#      /usr/bin/time, to this file)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -z "${CLI_CHECK_IN_NETNS:-}" ]; then
    # Outside the namespace: build the mock and install the CLI (both may need the network),
    # then re-exec in a fresh network namespace.
    MOCK=${1:-}
    if [ -z "$MOCK" ]; then
        REPO=$(cd "$HERE/../../.." && pwd)
        TARGET=${CARGO_TARGET_DIR:-$REPO/target}
        (cd "$REPO" && CARGO_TARGET_DIR=$TARGET cargo build -q -p clanka-mock) \
            || { echo "cli-check: cargo build failed"; exit 2; }
        MOCK=$TARGET/debug/clanka-mock
    fi
    CODEX_CACHE=${CODEX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clanka/codex-cli}
    CODEX=${CODEX:-$CODEX_CACHE/node_modules/.bin/codex}
    if [ ! -x "$CODEX" ]; then
        npm install --prefix "$CODEX_CACHE" @openai/codex@0.169.0 > /dev/null \
            || { echo "cli-check: npm install failed"; exit 2; }
    fi
    export MOCK CODEX CLI_CHECK_IN_NETNS=1
    exec unshare -n bash "$0"
fi

ip link set lo up || { echo "cli-check: cannot bring up lo (need root)"; exit 2; }
if ip -o link show | grep -v ': lo:' | grep -q .; then
    echo "cli-check: the network namespace has interfaces other than lo; refusing to run"; exit 2
fi

MODEL=${MODEL:-gpt-5.5}
COMPACT_LIMIT=${COMPACT_LIMIT:-50000}
TIMEOUT=${TIMEOUT:-120}
PORT=${PORT:-18443}
OUT=${OUT:-$(mktemp -d /var/tmp/cli-check.XXXXXX)}
TRANSPORTS=${TRANSPORTS:-ws http}
STEPS=${STEPS:-plain tool compact}
ORIGIN=
CA=
MOCK_PID=
stop_mock() { [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null; MOCK_PID=; }
trap stop_mock EXIT

start_mock() { # $1 = directory, $2... = extra mock flags
    local dir=$1; shift
    mkdir -p "$dir"
    "$MOCK" --tls --addr "127.0.0.1:$PORT" --ca-file "$dir/ca.pem" --turn-state "$@" \
        > "$dir/mock.out" 2> "$dir/mock.err" &
    MOCK_PID=$!
    for _ in $(seq 100); do grep -q '^listening on' "$dir/mock.out" && break; sleep 0.1; done
    read -r _ _ ORIGIN _ CA < "$dir/mock.out" || { echo "cli-check: the mock did not start"; exit 2; }
}

mock() { curl -s -m 10 --cacert "$CA" "$@"; }

write_home() { # $1 = CODEX_HOME
    mkdir -p "$1"
    mock -f -X POST "$ORIGIN/__mock/tokens" > "$1/minted.json" || { echo "cli-check: no tokens"; exit 2; }
    python3 - "$1" <<'PY'
import datetime, json, os, sys
home = sys.argv[1]
t = json.load(open(os.path.join(home, "minted.json")))
tokens = {k: t[k] for k in ("id_token", "access_token", "refresh_token", "account_id")}
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
auth = {"auth_mode": "chatgpt", "OPENAI_API_KEY": None, "tokens": tokens, "last_refresh": now}
path = os.path.join(home, "auth.json")
with open(path, "w") as f:
    json.dump(auth, f, indent=2)
os.chmod(path, 0o600)
PY
    cat > "$1/config.toml" <<TOML
model = "$MODEL"
chatgpt_base_url = "$ORIGIN/backend-api"
openai_base_url = "$ORIGIN/backend-api/codex"

[analytics]
enabled = false
TOML
}

EXEC='{"type":"function_call","name":"exec_command","arguments":{"cmd":"echo cli-check-tool-ok","yield_time_ms":1000}}'
FAILED=0
run_step() { # $1 = transport, $2 = step, $3 = scenario JSON, $4... = codex args
    local transport=$1 step=$2 scenario=$3; shift 3
    local dir="$OUT/$transport/$step"
    mkdir -p "$dir/work"
    write_home "$dir/home"
    mock -X DELETE "$ORIGIN/__mock/requests" > /dev/null
    mock -f -X POST -H 'content-type: application/json' --data "$scenario" "$ORIGIN/__mock/scenario" \
        > /dev/null || { echo "cli-check: could not set the scenario"; exit 2; }
    local timer=()
    [ -n "${TIME_FILE:-}" ] && timer=(/usr/bin/time -f "%e %M" -a -o "$TIME_FILE")
    ( cd "$dir/work" && env CODEX_HOME="$dir/home" CODEX_CA_CERTIFICATE="$CA" RUST_LOG=warn \
        "${timer[@]}" timeout "$TIMEOUT" "$CODEX" exec --skip-git-repo-check --json \
        --dangerously-bypass-approvals-and-sandbox \
        --disable plugins --disable apps --disable remote_plugin "$@" \
        < /dev/null > "$dir/events.jsonl" 2> "$dir/stderr" )
    local rc=$?
    mock "$ORIGIN/__mock/requests" > "$dir/requests.json"
    RC=$rc python3 "$HERE/cli-check-verify.py" "$transport" "$step" "$dir" \
        || { FAILED=1; echo "   see $dir (events.jsonl, stderr, requests.json)"; }
}

for transport in $TRANSPORTS; do
    flags=()
    [ "$transport" = http ] && flags=(--no-websocket)
    start_mock "$OUT/$transport" "${flags[@]}"
    for step in $STEPS; do
        case $step in
        plain) run_step "$transport" plain \
            '{"responses":[{"items":[{"type":"message","text":"cli-check plain ok"}]}]}' "Say hello" ;;
        tool) run_step "$transport" tool \
            "{\"responses\":[{\"items\":[$EXEC]},{\"items\":[{\"type\":\"message\",\"text\":\"cli-check tool ok\"}]}]}" \
            "Run echo" ;;
        compact) run_step "$transport" compact \
            "{\"responses\":[{\"items\":[$EXEC],\"input_tokens\":900000},{\"items\":[{\"type\":\"message\",\"text\":\"cli-check compact ok\"}]}]${COMPACTION_FAULT:+,\"compaction_fault\":$COMPACTION_FAULT}}" \
            -c "model_auto_compact_token_limit=$COMPACT_LIMIT" "Run echo, then compact" ;;
        *) echo "cli-check: unknown step $step"; FAILED=1 ;;
        esac
    done
    stop_mock
done
echo "cli-check: results in $OUT"
exit $FAILED
