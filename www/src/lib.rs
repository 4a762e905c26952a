//! wasm-bindgen wrappers for the browser page. Not built yet: an empty skeleton so the workspace
//! layout is in place; see the browser page issue.
#![forbid(unsafe_code)]
