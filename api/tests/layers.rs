//! The `api` crate's modules form layers with no circle: each imports only the layers below
//! it (see the crate's `lib.rs`). This test reads every source file (outside its test
//! modules) and fails on an import that points up or sideways.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failure should stop it loudly

use std::path::{Path, PathBuf};

/// Each top-level module and its layer: higher layers may import lower ones only.
const LAYERS: &[(&str, u8)] = &[
    ("main", 7),
    ("cli", 7),
    ("server", 6),
    ("graphql", 5),
    ("rest", 5),
    ("web", 5),
    ("service", 4),
    ("auth", 3),
    ("config", 2),
    ("error", 2),
    ("metrics", 2),
    ("secrets", 1),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules `code` names as `crate::<module>`.
fn imported_modules(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect::<String>()
        })
        .collect()
}

#[test]
fn it_should_import_only_the_layers_below_each_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 20, "the sources were found");
    let mut upward = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" {
            continue;
        }
        let own = layer(&module).unwrap_or_else(|| panic!("{module} has no layer in LAYERS"));
        let code = std::fs::read_to_string(file).unwrap();
        // Test modules may reach anywhere: they are not part of the layering.
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        for imported in imported_modules(code) {
            if imported == module {
                continue;
            }
            if let Some(theirs) = layer(&imported)
                && theirs >= own
            {
                upward.push(format!("{} imports crate::{imported}", relative.display()));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports against the layers:\n{}",
        upward.join("\n")
    );
}

#[test]
fn it_should_notice_an_import_against_the_layers() {
    let modules = imported_modules("use crate::server::app;\nuse crate::service::AppState;");
    assert_eq!(modules, ["server", "service"]);
    assert!(layer("server") > layer("service"));
}
