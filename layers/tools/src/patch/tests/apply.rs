//! Patches that apply.

use pretty_assertions::assert_eq;

use super::{apply, apply_patch, exists, read, workspace};

#[test]
fn add_creates_the_file_and_its_directories() {
    let (_dir, ws) = workspace(&[]);
    let summary = apply(&ws, "*** Add File: a/b/new.txt\n+line one\n+\n+line two\n").unwrap();
    assert_eq!(read(&ws, "a/b/new.txt"), "line one\n\nline two\n");
    assert_eq!(
        summary.to_string(),
        "Success. Updated the following files:\nA a/b/new.txt"
    );
}

#[test]
fn add_overwrites_an_existing_file() {
    let (_dir, ws) = workspace(&[("f.txt", "old\n")]);
    apply(&ws, "*** Add File: f.txt\n+new\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "new\n");
}

#[test]
fn update_applies_several_hunks_in_order() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\nc\nd\ne\nf\ng\n")]);
    let body = "*** Update File: f.txt\n a\n-b\n+B\n c\n@@\n e\n-f\n+F1\n+F2\n g\n";
    let summary = apply(&ws, body).unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nB\nc\nd\ne\nF1\nF2\ng\n");
    assert_eq!(
        summary.to_string(),
        "Success. Updated the following files:\nM f.txt"
    );
}

#[test]
fn header_context_moves_the_search_past_it() {
    let file = "fn first() {\n    x();\n}\nfn second() {\n    x();\n}\n";
    let (_dir, ws) = workspace(&[("lib.rs", file)]);
    apply(
        &ws,
        "*** Update File: lib.rs\n@@ fn second() {\n-    x();\n+    y();\n",
    )
    .unwrap();
    assert_eq!(
        read(&ws, "lib.rs"),
        "fn first() {\n    x();\n}\nfn second() {\n    y();\n}\n"
    );
}

#[test]
fn consecutive_headers_narrow_step_by_step_and_may_be_partial() {
    let file = "impl A {\n    fn f() {\n        1\n    }\n}\nimpl B {\n    fn f() {\n        1\n    }\n}\n";
    let (_dir, ws) = workspace(&[("lib.rs", file)]);
    apply(
        &ws,
        "*** Update File: lib.rs\n@@ impl B\n@@ fn f() {\n-        1\n+        2\n",
    )
    .unwrap();
    let expected = "impl A {\n    fn f() {\n        1\n    }\n}\nimpl B {\n    fn f() {\n        2\n    }\n}\n";
    assert_eq!(read(&ws, "lib.rs"), expected);
}

#[test]
fn matching_tolerates_whitespace_and_typographic_punctuation() {
    let (_dir, ws) = workspace(&[("f.txt", "keep   \n  indented\n\"quoted\" - dash\nend\n")]);
    let body = "*** Update File: f.txt\n keep\n-indented\n+INDENTED\n-\u{201C}quoted\u{201D} \u{2013} dash\n+plain\n";
    apply(&ws, body).unwrap();
    // Context lines keep the file's own text; replaced lines take the patch's.
    assert_eq!(read(&ws, "f.txt"), "keep   \nINDENTED\nplain\nend\n");
}

#[test]
fn exact_match_wins_over_a_fuzzy_one_earlier_in_the_file() {
    let (_dir, ws) = workspace(&[("f.txt", "x \nx\n")]);
    apply(&ws, "*** Update File: f.txt\n-x\n+y\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "x \ny\n");
}

#[test]
fn delete_removes_the_file() {
    let (_dir, ws) = workspace(&[("old.txt", "bye\n"), ("keep.txt", "k\n")]);
    let summary = apply(&ws, "*** Delete File: old.txt\n").unwrap();
    assert!(!exists(&ws, "old.txt"));
    assert_eq!(read(&ws, "keep.txt"), "k\n");
    assert_eq!(
        summary.to_string(),
        "Success. Updated the following files:\nD old.txt"
    );
}

#[test]
fn move_with_hunks_edits_and_renames() {
    let (_dir, ws) = workspace(&[("src/a.rs", "one\ntwo\n")]);
    let summary = apply(
        &ws,
        "*** Update File: src/a.rs\n*** Move to: lib/b.rs\n one\n-two\n+2\n",
    )
    .unwrap();
    assert!(!exists(&ws, "src/a.rs"));
    assert_eq!(read(&ws, "lib/b.rs"), "one\n2\n");
    assert_eq!(summary.modified, vec!["lib/b.rs".to_owned()]);
}

#[test]
fn move_without_hunks_keeps_the_bytes() {
    let (_dir, ws) = workspace(&[("a.txt", "no newline at end")]);
    apply(&ws, "*** Update File: a.txt\n*** Move to: b.txt\n").unwrap();
    assert!(!exists(&ws, "a.txt"));
    assert_eq!(read(&ws, "b.txt"), "no newline at end");
}

#[test]
fn end_of_file_marker_anchors_the_hunk_at_the_end() {
    let (_dir, ws) = workspace(&[("f.txt", "x\ny\nx\n")]);
    apply(&ws, "*** Update File: f.txt\n-x\n+z\n*** End of File\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "x\ny\nz\n");
}

#[test]
fn pure_additions_append_or_follow_their_header() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\n")]);
    apply(&ws, "*** Update File: f.txt\n@@ a\n+after a\n@@\n+tail\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nafter a\nb\ntail\n");
}

#[test]
fn heredoc_wrapper_and_crlf_patch_are_accepted() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\n")]);
    let text = "<<'EOF'\r\n*** Begin Patch\r\n*** Update File: f.txt\r\n a\r\n-b\r\n+c\r\n*** End Patch\r\nEOF\r\n";
    apply_patch(&ws, text).unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nc\n");
}

#[test]
fn a_crlf_file_keeps_crlf() {
    let (_dir, ws) = workspace(&[("f.txt", "a\r\nb\r\n")]);
    apply(&ws, "*** Update File: f.txt\n a\n-b\n+c\n+d\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\r\nc\r\nd\r\n");
}

#[test]
fn blank_hunk_lines_are_empty_context_and_trailing_ones_may_be_absent() {
    let (_dir, ws) = workspace(&[("f.txt", "a\n\nb\n")]);
    apply(&ws, "*** Update File: f.txt\n a\n\n-b\n+c\n\n\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\n\nc\n");
}

#[test]
fn the_result_ends_with_a_newline() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb")]);
    apply(&ws, "*** Update File: f.txt\n-a\n+A\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "A\nb\n");
}

#[test]
fn later_operations_see_earlier_ones() {
    let (_dir, ws) = workspace(&[("gone.txt", "g\n")]);
    let body =
        "*** Add File: n.txt\n+1\n*** Update File: n.txt\n-1\n+2\n*** Delete File: gone.txt\n";
    let summary = apply(&ws, body).unwrap();
    assert_eq!(read(&ws, "n.txt"), "2\n");
    assert!(!exists(&ws, "gone.txt"));
    let shown = "Success. Updated the following files:\nA n.txt\nM n.txt\nD gone.txt";
    assert_eq!(summary.to_string(), shown);
}

#[test]
fn unified_diff_range_headers_are_tolerated() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\n")]);
    apply(&ws, "*** Update File: f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n").unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nc\n");
}

#[cfg(unix)]
#[test]
fn permissions_survive_an_update() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, ws) = workspace(&[("run.sh", "echo a\n")]);
    let path = ws.root().join("run.sh");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    apply(&ws, "*** Update File: run.sh\n-echo a\n+echo b\n").unwrap();
    assert_eq!(read(&ws, "run.sh"), "echo b\n");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o755
    );
}

// The cases below follow the patch format as the reference parser reads it: markers
// are recognized when indented, blank lines between hunks are separators, a hunk of
// only added lines and no `@@` header goes at the end of the file, and every line
// keeps its own ending.

#[test]
fn indented_begin_and_end_markers_are_accepted() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\n")]);
    let text = "  *** Begin Patch\n*** Update File: f.txt\n a\n-b\n+c\n *** End Patch";
    apply_patch(&ws, text).unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nc\n");
}

#[test]
fn a_blank_line_after_end_of_file_is_a_separator() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\n"), ("g.txt", "x\n")]);
    let text = "*** Begin Patch\n*** Update File: f.txt\n a\n-b\n+c\n*** End of File\n\n*** Update File: g.txt\n-x\n+y\n*** End of File\n\n*** End Patch\n";
    apply_patch(&ws, text).unwrap();
    assert_eq!(read(&ws, "f.txt"), "a\nc\n");
    assert_eq!(read(&ws, "g.txt"), "y\n");
}

#[test]
fn a_pure_addition_goes_at_the_end_and_a_later_hunk_still_matches_earlier_lines() {
    let (_dir, ws) = workspace(&[("f.txt", "one\ntwo\nthree\n")]);
    let text =
        "*** Begin Patch\n*** Update File: f.txt\n+appended\n@@\n one\n-two\n+TWO\n*** End Patch\n";
    apply_patch(&ws, text).unwrap();
    assert_eq!(read(&ws, "f.txt"), "one\nTWO\nthree\nappended\n");
}

#[test]
fn mixed_line_endings_are_kept_line_by_line() {
    let (_dir, ws) = workspace(&[("f.txt", "a\r\nb\nc\r\nd\n")]);
    let text = "*** Begin Patch\n*** Update File: f.txt\n a\n-b\n+B\n+new\n c\n*** End Patch\n";
    apply_patch(&ws, text).unwrap();
    // Untouched lines keep their own endings; added lines take the first line's (CRLF).
    assert_eq!(read(&ws, "f.txt"), "a\r\nB\r\nnew\r\nc\r\nd\n");
}
