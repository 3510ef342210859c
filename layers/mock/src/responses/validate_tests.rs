use super::*;
use serde_json::json;

fn call(id: &str) -> Value {
    json!({"type": "function_call", "call_id": id, "name": "x", "arguments": "{}"})
}

fn output(id: &str) -> Value {
    json!({"type": "function_call_output", "call_id": id, "output": "ok"})
}

fn compaction() -> Value {
    json!({"type": "compaction", "id": "cmp_1", "encrypted_content": "gAAAA"})
}

#[test]
fn pairs_need_both_sides() {
    assert!(input(&[call("c1"), output("c1")]).is_ok());
    assert!(input(&[call("c1")]).is_err());
    assert!(input(&[output("c1")]).is_err());
}

#[test]
fn calls_absorbed_by_a_compaction_need_no_output() {
    assert!(input(&[call("c1"), compaction()]).is_ok());
    assert!(input(&[call("c1"), compaction(), output("c1")]).is_ok());
    assert!(input(&[compaction(), call("c2")]).is_err());
    assert!(input(&[compaction(), output("c3")]).is_err());
    let empty = json!({"type": "compaction", "encrypted_content": ""});
    assert_eq!(input(&[empty]).unwrap_err().status, 400);
}

#[test]
fn item_types_roles_and_the_trigger_position() {
    let user = json!({"role": "user", "content": "hi"});
    let tools = json!({"type": "additional_tools", "id": "at_1", "role": "developer", "tools": []});
    let trigger = json!({"type": "compaction_trigger"});
    assert!(input(&[tools, user.clone(), trigger.clone()]).is_ok());
    assert!(input(&[trigger, user.clone()]).is_err());
    let error = input(&[json!({"type": "bogus"})]).unwrap_err();
    assert_eq!(error.body["error"]["param"], "input[0].type");
    assert_eq!(error.body["error"]["code"], "invalid_value");
    let role = input(&[
        user,
        json!({"type": "message", "role": "robot", "content": []}),
    ]);
    assert_eq!(role.unwrap_err().body["error"]["param"], "input[1].role");
    assert!(input(&[json!({"content": "no type, no role"})]).is_err());
}

#[test]
fn fields_reject_store_and_sampling() {
    let ok = json!({"model": "m", "store": false, "input": []});
    assert!(fields(&ok).is_ok());
    let mut bad = ok;
    bad["temperature"] = json!(0.5);
    assert_eq!(fields(&bad).unwrap_err().status, 400);
    assert!(fields(&json!({"model": "m", "input": []})).is_err());
}
