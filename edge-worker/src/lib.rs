//! certbound's Cloudflare Worker. Not built yet: this crate is an empty skeleton so the workspace
//! layout is in place; see the edge-worker issue.
#![forbid(unsafe_code)]
