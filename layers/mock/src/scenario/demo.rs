//! The scripted session behind `cli --demo`.

use serde_json::json;

use super::{Scenario, ScriptedResponse};

impl Scenario {
    /// A short agent session: the `primary` model patches in `hello.txt` (a freeform
    /// `apply_patch`), reads it back with `exec_command`, delegates a check to a sub-agent on `subagent`, and
    /// completes. The sub-agent reads the file and answers.
    ///
    /// # Example
    ///
    /// ```
    /// let demo = clanka_mock::Scenario::demo("gpt-5.3-codex", "gpt-5.4");
    /// assert_eq!(demo.models["gpt-5.3-codex"].len(), 4);
    /// ```
    pub fn demo(primary: &str, subagent: &str) -> Self {
        let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n";
        Scenario::new()
            .model(
                primary,
                vec![
                    ScriptedResponse::new()
                        .reasoning("The user wants a file hello.txt containing \"hi\". A patch creates it.")
                        .custom_tool_call("apply_patch", patch),
                    ScriptedResponse::new()
                        .reasoning("Check the file from the shell.")
                        .function_call("exec_command", json!({"cmd": "cat hello.txt && wc -c hello.txt"})),
                    ScriptedResponse::new()
                        .message("The file is there. I'll have a sub-agent double-check it.")
                        .function_call(
                            "delegate",
                            json!({"task": "Read hello.txt and report exactly what it contains."}),
                        ),
                    ScriptedResponse::new().function_call(
                        "task_complete",
                        json!({"summary": "Created hello.txt containing \"hi\"; a sub-agent confirmed its contents."}),
                    ),
                ],
            )
            .model(
                subagent,
                vec![
                    ScriptedResponse::new().function_call("read_file", json!({"path": "hello.txt"})),
                    ScriptedResponse::new().message("hello.txt contains one line: \"hi\"."),
                ],
            )
    }
}
