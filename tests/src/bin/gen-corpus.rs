//! Regenerates the parity corpus in `tests/corpus/` (byte-stable: fixed seeds, fixed times,
//! deterministic signatures). Run with `cargo run -p certbound-tests --bin gen-corpus`.

use certbound_tests::corpus;

fn main() {
    let c = corpus::generate();
    let dir = corpus::corpus_dir();
    if let Err(e) = corpus::write(&c, &dir) {
        eprintln!("error: writing {}: {e}", dir.display());
        std::process::exit(1);
    }
    let total: usize = c.counts.values().sum();
    for (kind, n) in &c.counts {
        println!("{kind:>10} {n:>4}");
    }
    println!(
        "{:>10} {total:>4} cases, {} files in {}",
        "total",
        c.files.len(),
        dir.display()
    );
    let how: Vec<String> = c
        .declarations
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    println!("expectations declared by hand: {}", how.join(", "));
}
