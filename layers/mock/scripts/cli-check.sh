#!/bin/bash
# Runs one `codex exec` turn of the official Codex CLI against clanka-mock.
# Run it inside a private network namespace (see the crate README):
#   unshare -n bash -c 'ip link set lo up; layers/mock/scripts/cli-check.sh true "" "Say hello"'
# usage: cli-check.sh <supports_websockets: true|false> <scenario file or ""> <prompt>
# env:   MOCK (path of clanka-mock), CODEX (path of codex), MOCK_ARGS (extra mock flags)
set -u
WS=$1; SCEN=$2; PROMPT=$3
MOCK=${MOCK:-target/debug/clanka-mock}
CODEX=${CODEX:-codex}
PORT=18080
export CODEX_HOME=$(mktemp -d)
WORK=$(mktemp -d)
ARGS=(--addr 127.0.0.1:$PORT ${MOCK_ARGS:-})
[ -n "$SCEN" ] && ARGS+=(--scenario "$SCEN")
"$MOCK" "${ARGS[@]}" > "$CODEX_HOME/mock.out" 2> "$CODEX_HOME/mock.err" &
MPID=$!
for _ in $(seq 50); do grep -q listening "$CODEX_HOME/mock.out" && break; sleep 0.1; done
cat > "$CODEX_HOME/config.toml" <<TOML
model = "gpt-5.5"
model_provider = "mock"

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
supports_websockets = $WS
TOML
(cd "$WORK" && MOCK_API_KEY=sk-mock timeout 120 "$CODEX" exec --skip-git-repo-check \
    --dangerously-bypass-approvals-and-sandbox "$PROMPT" < /dev/null \
    > "$CODEX_HOME/codex.out" 2> "$CODEX_HOME/codex.err")
echo "codex exit: $?"
curl -s "http://127.0.0.1:$PORT/__mock/requests" > "$CODEX_HOME/requests.json"
kill $MPID; wait $MPID 2>/dev/null
echo "--- codex final message"; cat "$CODEX_HOME/codex.out"
echo "--- codex transcript (stderr)"; grep -v '^WARNING: proceeding' "$CODEX_HOME/codex.err" | tail -40
echo "--- what the mock received"; grep ' request ' "$CODEX_HOME/mock.err"
echo "--- files in the workdir"; ls "$WORK"
echo "CODEX_HOME=$CODEX_HOME (requests.json, mock.err, codex.err)"
