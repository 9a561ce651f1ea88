//! The shape of `src/`: every module imports only from the layers below its own, so the
//! house keeps one direction (see ARCHITECTURE.md).

use std::path::{Path, PathBuf};

/// The layers, top first; modules of one layer do not import each other.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["web", "eval"],
    &["search"],
    &["index"],
    &["corpus"],
    &["taxonomy"],
    &["gazetteer"],
    &["analysis", "markdown", "clock"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The crate's top-level modules that `text` names through `crate::…`, outside comments.
fn imported_modules(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a, b::c}`: the first name of each item (on this line).
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.push(name);
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file, its module, the module it imports) for every import that runs upward or sideways.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let first = relative.components().next().expect("a path");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            out.push(format!(
                "{}: module «{module}» has no layer",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("readable");
        for imported in imported_modules(&text) {
            if imported == module {
                continue;
            }
            match layer_of(&imported) {
                Some(theirs) if theirs > own => {}
                _ => out.push(format!(
                    "{}: «{module}» imports «{imported}», which is not below it",
                    relative.display()
                )),
            }
        }
    }
    out
}

#[test]
fn every_module_imports_only_from_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports against the layers:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_module_of_src_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).expect("src").flatten() {
        let name = entry
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if name != "lib" && name != "main" {
            assert!(layer_of(&name).is_some(), "«{name}» has no layer");
        }
    }
}

#[test]
fn the_reader_sees_upward_and_grouped_imports() {
    let text = "use crate::search::Engine;\nuse crate::{web, corpus::Document};\n// crate::cli\n";
    assert_eq!(imported_modules(text), vec!["search", "web", "corpus"]);
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("index")).expect("mkdir");
    std::fs::write(dir.path().join("index/build.rs"), text).expect("write");
    let found = violations(dir.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("imports «search»"), "{found:?}");
}
