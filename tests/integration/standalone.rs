//! The repository stands alone: what the tests and CI run never names a path outside it.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Text files under `dir`, without installed packages.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "node_modules") {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The places in `text` that name a path outside the repository: a relative path climbing
/// out of it, the maintainers' shared folder, or an absolute path of this machine. (The
/// patterns are assembled so that this file does not match itself.)
fn outside_paths(text: &str) -> Vec<String> {
    let up = concat!("..", "/");
    let shared = concat!("shar", "ed/");
    let machine = concat!("/wo", "rk/");
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let climbs = line.match_indices(up).any(|(i, _)| {
            // Only a path that starts by climbing: `x/..` stays where `x` is.
            i == 0 || line[..i].ends_with([' ', '"', '\'', '(', '=', '`', ','])
        });
        let names_shared = line.match_indices(shared).any(|(i, _)| {
            let rest = &line[i + shared.len()..];
            ["eval", "sources", "peers", "data", "notes"]
                .iter()
                .any(|d| rest.starts_with(d))
        });
        if climbs || names_shared || line.contains(machine) {
            found.push(format!("{}: {}", n + 1, line.trim()));
        }
    }
    found
}

#[test]
fn tests_and_ci_name_no_path_outside_the_repository() {
    let root = root();
    let mut checked = Vec::new();
    files(&root.join("tests"), &mut checked);
    files(&root.join(".ci"), &mut checked);
    checked.push(root.join("scripts/test"));
    assert!(checked.len() > 20, "the test files were found");
    let mut offending = Vec::new();
    for path in &checked {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for place in outside_paths(&text) {
            offending.push(format!("{}:{place}", path.display()));
        }
    }
    assert!(
        offending.is_empty(),
        "paths outside the repository:\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_detector_sees_paths_that_leave_the_repository() {
    let up = concat!("..", "/");
    let bad = [
        format!("let q = Path::new(\"{up}shar{}eval/dev.jsonl\");", "ed/"),
        format!("python3 {up}score.py"),
        format!("cd /wo{}shared", "rk/"),
    ];
    for line in &bad {
        assert_eq!(outside_paths(line).len(), 1, "{line}");
    }
    let fine = [
        "path.resolve(here, \"..\", \"..\")",
        "symlink(\"..\", folder.join(\"bucle\"))",
        "data/eval/dev.jsonl",
        "tests/fixtures/x/../y",
    ];
    for line in fine {
        assert!(outside_paths(line).is_empty(), "{line}");
    }
}

#[test]
fn the_data_the_tests_read_is_in_the_repository() {
    let root = root();
    for file in [
        "data/eval/dev.jsonl",
        "data/sources/practices.jsonl",
        "data/sources/memoria-2023.txt",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        assert!(text.lines().count() > 10, "{file} is missing or empty");
    }
}
