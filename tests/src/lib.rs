//! Shared test helpers: rcgen certificate factories used by the core, server and parity tests.
#![forbid(unsafe_code)]
