//! Commands known to only read, which the `untrusted` policy runs without asking:
//! the official client's list, judged conservatively (anything the check cannot
//! read for sure asks).

/// Programs that only read whatever their arguments.
const READERS: &[&str] = &[
    "cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd",
    "rev", "seq", "stat", "tail", "tr", "true", "uname", "uniq", "wc", "which", "whoami",
];

/// `find` options that write, delete or run something.
const FIND_UNSAFE: &[&str] = &[
    "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
];

/// `rg` options that run something.
const RG_UNSAFE: &[&str] = &["--pre", "--hostname-bin", "--search-zip", "-z"];

/// `git` subcommands that only read (unless told to write a file with `--output`).
const GIT_READERS: &[&str] = &["status", "log", "diff", "show"];

/// The `git branch` options that only list (any other argument creates, renames or
/// deletes a branch).
const GIT_BRANCH_LISTING: &[&str] = &[
    "--list",
    "-l",
    "-a",
    "--all",
    "-r",
    "--remotes",
    "-v",
    "-vv",
    "--verbose",
    "--show-current",
];

/// Whether `command` (a shell command line) is known to only read: one or more
/// known-safe commands joined with `&&`, `||`, `;` or `|`, with no redirection,
/// substitution, subshell or background job.
///
/// ```
/// use clanka_tools::is_known_safe;
///
/// assert!(is_known_safe("ls -la && git status | head -n 5"));
/// assert!(is_known_safe("bash -lc 'grep -rn TODO src'"));
/// assert!(!is_known_safe("touch x"));
/// assert!(!is_known_safe("echo hi > x"));
/// assert!(!is_known_safe("find . -delete"));
/// assert!(!is_known_safe("cat $(which sh)"));
/// ```
pub fn is_known_safe(command: &str) -> bool {
    if command.contains(['>', '<', '`', '$', '(', ')', '{', '}', '\n', '\r', '!']) {
        return false;
    }
    let Some(words) = shlex::split(&spaced_operators(command)) else {
        return false;
    };
    if words.is_empty() {
        return false;
    }
    words
        .split(|word| matches!(word.as_str(), "&&" | "||" | ";" | "|"))
        .all(is_safe_argv)
}

/// `command` with spaces around the unquoted operators `;`, `|`, `||`, `&` and `&&`,
/// so that `ls;pwd` splits into three words.
fn spaced_operators(command: &str) -> String {
    let mut spaced = String::with_capacity(command.len() + 8);
    let mut quote = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, ';' | '|' | '&') => {
                spaced.push(' ');
                spaced.push(c);
                if c != ';' && chars.peek() == Some(&c) {
                    chars.next();
                    spaced.push(c);
                }
                spaced.push(' ');
                continue;
            }
            _ => {}
        }
        spaced.push(c);
    }
    spaced
}

/// Whether one command's words are known to only read.
fn is_safe_argv(words: &[String]) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    if words.iter().any(|word| word.contains([';', '|', '&'])) {
        return false;
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    match program {
        "bash" | "sh" | "zsh" => match args {
            [flag, script] if matches!(flag.as_str(), "-c" | "-lc") => is_known_safe(script),
            _ => false,
        },
        "find" => !args.iter().any(|a| FIND_UNSAFE.contains(&a.as_str())),
        "rg" => !args.iter().any(|a| {
            RG_UNSAFE
                .iter()
                .any(|u| a == u || a.starts_with(&format!("{u}=")))
        }),
        "git" => match args.split_first() {
            Some((sub, rest)) if sub == "branch" => rest
                .iter()
                .all(|a| GIT_BRANCH_LISTING.contains(&a.as_str())),
            Some((sub, rest)) => {
                GIT_READERS.contains(&sub.as_str())
                    && !rest.iter().any(|a| a.starts_with("--output"))
            }
            None => false,
        },
        "sed" => {
            matches!(args, [n, script, ..] if n == "-n" && is_print_range(script) && args.len() <= 3)
        }
        "base64" => !args.iter().any(|a| a == "-o" || a.starts_with("--output")),
        "sort" => !args
            .iter()
            .any(|a| a.starts_with("-o") || a.starts_with("--output")),
        _ => READERS.contains(&program),
    }
}

/// `Np` or `M,Np` (sed's print of a line range).
fn is_print_range(script: &str) -> bool {
    script.strip_suffix('p').is_some_and(|range| {
        !range.is_empty()
            && range
                .split(',')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && range.split(',').count() <= 2
    })
}

#[cfg(test)]
mod tests {
    use super::is_known_safe;

    #[test]
    fn reading_commands_are_safe_and_anything_else_asks() {
        for safe in [
            "ls",
            "cat README.md",
            "git log --oneline -5",
            "git branch",
            "git branch -a -v",
            "sed -n 1,20p src/lib.rs",
            "rg -n foo src",
            "find . -name '*.rs'",
            "pwd; ls || echo none",
            "/usr/bin/grep x y",
        ] {
            assert!(is_known_safe(safe), "{safe}");
        }
        for unsafe_ in [
            "",
            "touch a",
            "rm -rf /",
            "ls; rm x",
            "ls;rm x",
            "ls & rm x",
            "git push",
            "git",
            "git branch -D main",
            "git branch new-feature",
            "git diff --output=patch.diff",
            "git log --output=log.txt",
            "sed -i s/a/b/ f",
            "sed -n 1p a b c",
            "rg --pre=sh x",
            "find . -exec rm {} ;",
            "echo `id`",
            "bash -c 'rm x'",
            "sort -o out in",
            "cat 'unterminated",
            "python3 -c 'print(1)'",
        ] {
            assert!(!is_known_safe(unsafe_), "{unsafe_}");
        }
    }
}
