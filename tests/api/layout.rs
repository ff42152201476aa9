//! The arrows point one way: the adapters (`src/api/`, `src/web/`, and `startup.rs`,
//! which wires them into a server) use the core, never the other way round, and nothing
//! in the library imports `startup`. Read from the sources, so a new import that breaks
//! the rule fails here.

use std::path::Path;

/// Modules allowed to break the rule for now; this list may only shrink.
const NOT_YET: &[&str] = &[];

#[test]
fn the_core_does_not_import_the_adapters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = crate::helpers::source_files();
    let mut wrong = Vec::new();
    let mut fixed = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("readable");
        let adapter = name.starts_with("src/api/")
            || name.starts_with("src/web/")
            || name == "src/startup.rs"
            || name == "src/main.rs";
        if name != "src/main.rs" && text.contains("crate::startup") {
            wrong.push(format!("{name} imports startup"));
        }
        if adapter {
            continue;
        }
        let imports = ["crate::api", "crate::web", "super::api", "super::web"]
            .iter()
            .any(|p| text.contains(p));
        match (imports, NOT_YET.contains(&name.as_str())) {
            (true, false) => wrong.push(format!("{name} imports an adapter (api or web)")),
            (false, true) => fixed.push(name),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(
        fixed.is_empty(),
        "no longer importing the adapters, take them off NOT_YET: {fixed:?}"
    );
}
