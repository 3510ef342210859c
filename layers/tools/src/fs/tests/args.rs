//! `parse_args`: error messages name the field and stay short.

use super::super::parse_args;
use super::*;

/// Arguments like a tool's, with a required and an optional field.
#[derive(Debug, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Sample {
    path: String,
    start_line: Option<usize>,
}

fn message(arguments: &str) -> String {
    parse_args::<Sample>(arguments).unwrap_err().to_string()
}

#[test]
fn valid_arguments_parse() {
    let parsed: Sample = parse_args(r#"{"path": "a.rs", "start_line": 3}"#).unwrap();
    assert_eq!(
        parsed,
        Sample {
            path: "a.rs".into(),
            start_line: Some(3)
        }
    );
}

#[test]
fn type_errors_name_the_field() {
    assert_eq!(
        message(r#"{"path": 5}"#),
        "invalid arguments: field `path`: invalid type: integer `5`, expected a string"
    );
    assert_eq!(
        message(r#"{"path": "a", "start_line": "x"}"#),
        "invalid arguments: field `start_line`: invalid type: string \"x\", expected usize"
    );
    assert_eq!(
        message(r#"{"path": "a", "start_line": -1}"#),
        "invalid arguments: field `start_line`: invalid value: integer `-1`, expected usize"
    );
}

#[test]
fn missing_unknown_and_malformed_arguments_are_explained() {
    assert_eq!(message("{}"), "invalid arguments: missing field `path`");
    assert_eq!(
        message(r#"{"path": "a", "colour": 1}"#),
        "invalid arguments: unknown field `colour`, expected `path` or `start_line`"
    );
    assert_eq!(
        message(r#"{"path": "#),
        "invalid arguments: not valid JSON: EOF while parsing a value at line 1 column 9"
    );
    assert_eq!(message("[1]"), "invalid arguments: expected a JSON object");
}

#[test]
fn huge_values_are_not_quoted_in_full() {
    let huge = "y".repeat(100_000);
    let text = message(&json!({"path": "a", "start_line": huge}).to_string());
    assert!(text.starts_with("invalid arguments: field `start_line`: invalid type: string \"yyy"));
    assert!(text.len() < 400, "{} bytes", text.len());
    assert!(text.ends_with('…'));
}

#[tokio::test]
async fn empty_arguments_count_as_an_empty_object() {
    let (_dir, ws) = workspace();
    put(&ws, "a.txt", "a");
    assert_eq!(
        super::super::list_files::run(&ws, "").await.unwrap(),
        "a.txt"
    );
    assert!(matches!(
        super::super::read_file::run(&ws, " ").await,
        Err(ToolError::InvalidArguments(m)) if m == "missing field `path`"
    ));
}
