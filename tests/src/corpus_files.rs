//! Where the corpus lives and how runners load it (native side; node has `run.mjs`).

use std::path::{Path, PathBuf};

use crate::parity::{Case, Files, SHARED_PREFIX};

/// The corpus directory of this crate (`tests/corpus`).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The shared conformance directory (`../shared/conformance`), read in place.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
}

/// Reads the named files: corpus-relative names from `corpus`, `shared:` names from `shared`.
///
/// # Errors
/// The first file that cannot be read.
pub fn load_files(corpus: &Path, shared: &Path, names: &[String]) -> Result<Files, String> {
    let mut files = Files::new();
    for name in names {
        let path = match name.strip_prefix(SHARED_PREFIX) {
            Some(rest) => shared.join(rest),
            None => corpus.join(name),
        };
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.insert(name.clone(), bytes);
    }
    Ok(files)
}

/// Reads every `cases/*.json` of a corpus directory, in file-name order.
///
/// # Errors
/// A message naming the unreadable or malformed file.
pub fn load_cases(corpus: &Path) -> Result<Vec<Case>, String> {
    let dir = corpus.join("cases");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut cases = Vec::new();
    for p in names {
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut more: Vec<Case> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        cases.append(&mut more);
    }
    Ok(cases)
}
