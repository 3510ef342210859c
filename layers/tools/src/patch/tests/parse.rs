//! The parsed structure.

use pretty_assertions::assert_eq;

use super::super::{FileOp, Hunk, HunkLine, Patch, PatchError, parse_patch};

#[test]
fn every_section_kind_parses() {
    let text = "*** Begin Patch\n\
                *** Add File: new.txt\n+one\n+two\n\
                *** Update File: a.rs\n*** Move to: b.rs\n\
                @@ fn f()\n@@ let x\n c\n-old\n+new\n\n\
                @@\n-last\n*** End of File\n\
                *** Delete File: old.txt\n\
                *** End Patch";
    let context = |s: &str| HunkLine::Context(s.to_owned());
    let expected = Patch {
        ops: vec![
            FileOp::Add {
                path: "new.txt".into(),
                contents: "one\ntwo\n".into(),
            },
            FileOp::Update {
                path: "a.rs".into(),
                move_to: Some("b.rs".into()),
                hunks: vec![
                    Hunk {
                        headers: vec!["fn f()".into(), "let x".into()],
                        lines: vec![
                            context("c"),
                            HunkLine::Removed("old".into()),
                            HunkLine::Added("new".into()),
                            context(""),
                        ],
                        end_of_file: false,
                    },
                    Hunk {
                        headers: vec![],
                        lines: vec![HunkLine::Removed("last".into())],
                        end_of_file: true,
                    },
                ],
            },
            FileOp::Delete {
                path: "old.txt".into(),
            },
        ],
    };
    assert_eq!(parse_patch(text).unwrap(), expected);
}

#[test]
fn add_drops_trailing_blank_lines_and_an_empty_add_is_an_empty_file() {
    let patch =
        parse_patch("*** Begin Patch\n*** Add File: a\n+x\n\n+y\n\n*** Add File: b\n*** End Patch")
            .unwrap();
    let expected = vec![
        FileOp::Add {
            path: "a".into(),
            contents: "x\n\ny\n".into(),
        },
        FileOp::Add {
            path: "b".into(),
            contents: String::new(),
        },
    ];
    assert_eq!(patch.ops, expected);
}

fn parse_error(text: &str) -> (usize, String) {
    match parse_patch(text) {
        Err(PatchError::Parse { line, message }) => (line, message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn structural_errors_name_their_line() {
    assert_eq!(
        parse_error(""),
        (1, "the patch is empty; expected `*** Begin Patch`".into())
    );
    let empty = "*** Begin Patch\n*** End Patch";
    assert_eq!(parse_error(empty).0, 3);
    let no_hunks = "*** Begin Patch\n*** Update File: a\n*** End Patch";
    assert_eq!(
        parse_error(no_hunks),
        (2, "`*** Update File: a` has no hunks".into())
    );
    let header_only = "*** Begin Patch\n*** Update File: a\n-x\n+y\n@@ fn f\n*** End Patch";
    assert_eq!(
        parse_error(header_only),
        (5, "the `@@` hunk of a has no lines".into())
    );
    let trailing = "*** Begin Patch\n*** Delete File: a\n*** End Patch\nmore";
    assert_eq!(
        parse_error(trailing),
        (4, "unexpected text after `*** End Patch`: `more`".into())
    );
    let no_path = "*** Begin Patch\n*** Delete File:  \n*** End Patch";
    assert_eq!(
        parse_error(no_path),
        (2, "`*** Delete File:` needs a path".into())
    );
    let add_junk = "*** Begin Patch\n*** Add File: a\n+x\ny\n*** End Patch";
    let message = "expected a `+` line of the file added on line 2, found `y`";
    assert_eq!(parse_error(add_junk), (4, message.into()));
}

#[test]
fn heredoc_lines_count_in_error_positions() {
    let text = "apply_patch <<'EOF'\n*** Begin Patch\n*** Bogus\n*** End Patch\nEOF\n";
    assert_eq!(parse_error(text).0, 3);
}

#[test]
fn the_paths_an_approver_sees_are_the_parsed_ones() {
    // No space after the colon: the parser takes it, so the approver must see it.
    let text = "*** Begin Patch\n*** Add File:evil.txt\n+x\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-a\n+b\n*** Delete File: c.txt\n*** End Patch\n";
    let patch = parse_patch(text).unwrap();
    assert_eq!(patch.paths(), ["evil.txt", "a.txt", "b.txt", "c.txt"]);
    assert_eq!(
        super::super::touched_files(text),
        "+evil.txt ~a.txt >b.txt -c.txt"
    );
}
