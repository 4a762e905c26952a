//! Shared test helpers: rcgen certificate factories used by the core, server and parity tests,
//! and the cross-target parity suite ([`parity`], [`corpus`]).
#![forbid(unsafe_code)]

#[cfg(feature = "generator")]
pub mod corpus;
pub mod corpus_files;
pub mod parity;
#[cfg(feature = "wycheproof")]
pub mod wycheproof;
