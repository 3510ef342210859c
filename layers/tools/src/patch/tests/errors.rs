//! Patches that are refused, and leave every file as it was.

use pretty_assertions::assert_eq;

use super::{PatchError, apply, apply_patch, exists, read, snapshot, workspace};
use crate::workspace::PathError;

#[test]
fn a_bad_first_line_is_named() {
    let (_dir, ws) = workspace(&[]);
    let error = apply_patch(&ws, "\n--- a/f.txt\n*** End Patch\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid patch, line 2: expected `*** Begin Patch`, found `--- a/f.txt`"
    );
}

#[test]
fn a_missing_end_patch_is_named() {
    let (_dir, ws) = workspace(&[]);
    let error = apply_patch(&ws, "*** Begin Patch\n*** Add File: a.txt\n+a\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid patch, line 4: missing `*** End Patch`"
    );
    assert!(!exists(&ws, "a.txt"));
}

#[test]
fn an_unknown_section_is_named() {
    let (_dir, ws) = workspace(&[]);
    let error = apply(&ws, "*** Create File: a.txt\n+a\n").unwrap_err();
    let expected = "invalid patch, line 2: expected `*** Add File:`, `*** Update File:`, \
                    `*** Delete File:` or `*** End Patch`, found `*** Create File: a.txt`";
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_hunk_line_without_prefix_is_named() {
    let (_dir, ws) = workspace(&[("f.txt", "a\n")]);
    let error = apply(&ws, "*** Update File: f.txt\n@@\n-a\nb\n").unwrap_err();
    let expected = "invalid patch, line 5: hunk 1 of f.txt: expected a line starting with ` ` (context), \
                    `-` (removed), `+` (added) or `@@`, found `b`";
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_hunk_not_found_names_the_file_and_hunk() {
    let (_dir, ws) = workspace(&[("src/f.txt", "a\nb\nc\n")]);
    let error = apply(&ws, "*** Update File: src/f.txt\n-a\n+A\n@@\n b\n-x\n+y\n").unwrap_err();
    assert!(
        matches!(&error, PatchError::HunkNotFound { path, hunk: 2, .. } if path == "src/f.txt")
    );
    let expected = "src/f.txt: hunk 2 does not match the file; these lines were not found \
                    (after the previous hunk); read the file and retry with its exact lines:\nb\nx";
    assert_eq!(error.to_string(), expected);
    assert_eq!(read(&ws, "src/f.txt"), "a\nb\nc\n");
}

#[test]
fn the_expected_lines_are_truncated() {
    let (_dir, ws) = workspace(&[("f.txt", "a\n")]);
    let body: String = (1..=12).map(|i| format!("-{i}\n")).collect();
    let error = apply(&ws, &format!("*** Update File: f.txt\n{body}")).unwrap_err();
    let PatchError::HunkNotFound { expected, .. } = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        expected,
        "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n[... 2 more lines]"
    );
}

#[test]
fn hunks_out_of_order_are_explained() {
    let (_dir, ws) = workspace(&[("f.txt", "a\nb\nc\n")]);
    let error = apply(&ws, "*** Update File: f.txt\n-c\n+C\n@@\n-a\n+A\n").unwrap_err();
    let expected =
        "f.txt: hunk 2 matches only before hunk 1; order the hunks of a file from top to bottom";
    assert_eq!(error.to_string(), expected);
}

#[test]
fn a_missing_header_is_named() {
    let (_dir, ws) = workspace(&[("f.txt", "a\n")]);
    let error = apply(&ws, "*** Update File: f.txt\n@@ fn nowhere()\n-a\n+b\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "f.txt: hunk 1: the `@@ fn nowhere()` line was not found in the file"
    );
}

#[test]
fn updating_or_deleting_a_missing_file_fails() {
    let (_dir, ws) = workspace(&[]);
    let error = apply(&ws, "*** Update File: nope.txt\n-a\n+b\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "nope.txt does not exist; use `*** Add File:` to create it"
    );
    let error = apply(&ws, "*** Delete File: nope.txt\n").unwrap_err();
    assert!(matches!(error, PatchError::Missing { path } if path == "nope.txt"));
}

#[test]
fn one_bad_hunk_changes_no_file_at_all() {
    let files = [
        ("keep.txt", "k1\nk2\n"),
        ("edit.txt", "e1\ne2\n"),
        ("gone.txt", "g\n"),
    ];
    let (_dir, ws) = workspace(&files);
    let before = snapshot(ws.root());
    let body = "*** Add File: new/added.txt\n+new\n\
                *** Update File: edit.txt\n-e1\n+E1\n\
                *** Delete File: gone.txt\n\
                *** Update File: keep.txt\n k1\n-missing\n+x\n";
    let error = apply(&ws, body).unwrap_err();
    assert!(matches!(&error, PatchError::HunkNotFound { path, hunk: 1, .. } if path == "keep.txt"));
    assert_eq!(snapshot(ws.root()), before);
    assert!(!exists(&ws, "new"));
}

#[test]
fn paths_outside_the_workspace_are_refused() {
    let (_dir, ws) = workspace(&[("f.txt", "a\n")]);
    let error = apply(&ws, "*** Add File: ../x\n+a\n").unwrap_err();
    assert!(matches!(error, PatchError::Path(PathError::Outside(path)) if path == "../x"));
    let error = apply(&ws, "*** Update File: /etc/passwd\n-root\n+me\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`/etc/passwd` is outside the working directory"
    );
    let error = apply(
        &ws,
        "*** Update File: f.txt\n*** Move to: ../../moved.txt\n",
    )
    .unwrap_err();
    assert!(matches!(error, PatchError::Path(PathError::Outside(_))));
    assert_eq!(read(&ws, "f.txt"), "a\n");
}

#[test]
fn a_directory_is_not_a_file() {
    let (_dir, ws) = workspace(&[("d/f.txt", "a\n")]);
    let error = apply(&ws, "*** Add File: d\n+a\n").unwrap_err();
    assert_eq!(error.to_string(), "d: is a directory, not a file");
}

#[test]
fn a_file_over_the_limit_is_refused_by_name_and_left_alone() {
    let (_dir, ws) = workspace(&[("small.txt", "a\n")]);
    let big = std::fs::File::create(ws.root().join("big.log")).unwrap();
    big.set_len(super::super::MAX_FILE_BYTES + 1).unwrap(); // sparse
    drop(big);
    let error = apply(
        &ws,
        "*** Update File: small.txt\n@@\n-a\n+b\n*** Update File: big.log\n@@\n-x\n+y\n",
    )
    .unwrap_err();
    assert!(matches!(error, PatchError::TooLarge { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("big.log") && message.contains("at most 16 MiB"),
        "{message}"
    );
    assert_eq!(read(&ws, "small.txt"), "a\n", "nothing applied");
}
