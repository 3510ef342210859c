#!/usr/bin/env python3
"""Checks one step of cli-check.sh: the CLI's --json events and the mock's request record.

usage: RC=<codex exit code> cli-check-verify.py TRANSPORT STEP DIR
DIR holds events.jsonl (codex exec --json), stderr and requests.json (GET /__mock/requests).
Prints one PASS/FAIL line and exits 1 on failure.
"""
import json
import os
import sys

transport, step, d = sys.argv[1], sys.argv[2], sys.argv[3]
rc = int(os.environ.get("RC", "1"))
EXPECTED = {"plain": "cli-check plain ok", "tool": "cli-check tool ok", "compact": "cli-check compact ok"}

events = []
for line in open(os.path.join(d, "events.jsonl")):
    try:
        events.append(json.loads(line))
    except ValueError:
        pass
try:
    record = json.load(open(os.path.join(d, "requests.json")))
except (OSError, ValueError):
    record = []

items = [e["item"] for e in events if e.get("type") == "item.completed"]
messages = [i.get("text", "") for i in items if i.get("type") == "agent_message"]
commands = [i for i in items if i.get("type") == "command_execution"]
errors = [e for e in events if e.get("type") in ("error", "turn.failed")]


def is_sampling(r):
    """A /responses request that asks for an answer (not a prewarm)."""
    body = r.get("body") if isinstance(r.get("body"), dict) else {}
    if body.get("generate") is False:
        return False
    if r["kind"] == "http":
        return r["method"] == "POST" and r["path"].endswith("/codex/responses")
    return r["kind"] == "web_socket_message" and body.get("type") == "response.create"


def input_of(r):
    return (r.get("body") or {}).get("input") or []


def turn_state(r):
    value = (r.get("headers") or {}).get("x-codex-turn-state")
    return value or ((r.get("body") or {}).get("client_metadata") or {}).get("x-codex-turn-state")


sampling = [r for r in record if is_sampling(r)]
paths = [r["path"] for r in record]
problems, notes = [], []
if rc != 0:
    problems.append(f"codex exit {rc}")
if not any(e.get("type") == "turn.completed" for e in events):
    problems.append("no turn.completed event")
if errors:
    problems.append("error events: " + json.dumps(errors)[:300])
if not messages or messages[-1] != EXPECTED[step]:
    problems.append(f"final message {messages[-1:]!r}, expected {EXPECTED[step]!r}")
if "/backend-api/wham/accounts/check" not in paths:
    problems.append("no accounts/check request")
if "/backend-api/codex/models" not in paths:
    problems.append("no catalogue request")
kinds = {r["kind"] for r in sampling}
if kinds != {"http" if transport == "http" else "web_socket_message"}:
    problems.append(f"sampling requests went over {sorted(kinds)}")

if step in ("tool", "compact"):
    ran = [c for c in commands if c.get("exit_code") == 0 and "cli-check-tool-ok" in (c.get("aggregated_output") or "")]
    if not ran:
        problems.append("exec_command did not run")
    outputs = [i for r in sampling for i in input_of(r) if i.get("type") == "function_call_output"]
    if not any("cli-check-tool-ok" in str(o.get("output")) for o in outputs):
        problems.append("the mock never received the command's output")
    echoed = [turn_state(r) for r in sampling[1:]]
    notes.append(f"turn state echoed: {echoed}")
    if transport == "http" and not all(echoed):
        problems.append("a follow-up request did not echo x-codex-turn-state")

if step == "compact":
    compactions = [r for r in sampling if input_of(r) and input_of(r)[-1].get("type") == "compaction_trigger"]
    replayed = [r for r in sampling if any(i.get("type") == "compaction" for i in input_of(r))]
    if len(compactions) != 1:
        problems.append(f"{len(compactions)} compaction requests (expected exactly 1)")
    if not replayed:
        problems.append("no request replayed the compaction item")
    notes.append(f"{len(compactions)} compaction request(s), {len(replayed)} replaying the item")

summary = f"{len(sampling)} sampling request(s), {len(commands)} command(s)"
label = f"{transport}/{step}"
if problems:
    print(f"[FAIL] {label}: " + "; ".join(problems))
    sys.exit(1)
print(f"[PASS] {label}: final message {messages[-1]!r}, {summary}" + "".join(f"; {n}" for n in notes))
