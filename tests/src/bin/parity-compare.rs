//! Compares every runtime's parity verdicts with the corpus expectations and with each other.
//!
//! Usage: `parity-compare <dir> <runtime>…` reads `<dir>/<runtime>.json` for each runtime
//! named (a missing file is a runtime that did not run: reported, and a failure), prints a
//! table cases × runtimes and every disagreement by case id, and exits 1 on any disagreement
//! or missing runtime. `--table <file>` writes the per-case table there instead of stdout.
//! `--not-wired <runtime>=<reason>` lists a runtime with no runner yet: reported loudly, not a
//! failure, never counted as agreeing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use certbound_tests::corpus_files::{corpus_dir, load_cases};
use certbound_tests::parity::{FIELDS, Kind, Report};

/// A runtime's state.
enum Runtime {
    Ran(Report),
    Missing(String),
    NotWired(String),
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut names = Vec::new();
    let mut table_file = None;
    let mut not_wired = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--table" => table_file = args.next().map(PathBuf::from),
            "--not-wired" => {
                if let Some(v) = args.next() {
                    let (n, why) = v.split_once('=').unwrap_or((&v, "no runner"));
                    not_wired.push((n.to_owned(), why.to_owned()));
                }
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => names.push(a),
        }
    }
    let Some(dir) = dir else {
        eprintln!(
            "usage: parity-compare <dir> <runtime>… [--table file] [--not-wired name=reason]"
        );
        return ExitCode::from(2);
    };
    let cases = match load_cases(&corpus_dir()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    let mut runtimes: Vec<(String, Runtime)> = Vec::new();
    for n in &names {
        let path = dir.join(format!("{n}.json"));
        let rt = match std::fs::read(&path) {
            Err(e) => Runtime::Missing(format!("{}: {e}", path.display())),
            Ok(bytes) => match serde_json::from_slice::<Report>(&bytes) {
                Ok(r) => Runtime::Ran(r),
                Err(e) => Runtime::Missing(format!("{}: not a report: {e}", path.display())),
            },
        };
        runtimes.push((n.clone(), rt));
    }
    for (n, why) in not_wired {
        runtimes.push((n, Runtime::NotWired(why)));
    }

    // Per case: one mark per runtime; disagreements listed with the differing fields.
    let mut table = String::new();
    let _ = write!(table, "{:<58}", "case");
    for (n, _) in &runtimes {
        let _ = write!(table, " {n:>10}");
    }
    table.push('\n');
    let mut disagreements: Vec<String> = Vec::new();
    // kind → runtime → (agree, disagree, not run)
    let mut summary: BTreeMap<Kind, Vec<[usize; 3]>> = BTreeMap::new();
    for c in &cases {
        let _ = write!(table, "{:<58}", c.id);
        let counts = summary
            .entry(c.kind)
            .or_insert_with(|| vec![[0; 3]; runtimes.len()]);
        let mut observed: Vec<(&str, &Report)> = Vec::new();
        for (i, (n, rt)) in runtimes.iter().enumerate() {
            let mark = match rt {
                Runtime::Ran(r) if r.not_applicable.contains_key(&c.id) => {
                    counts[i][2] += 1;
                    "n/a"
                }
                Runtime::Ran(r) if r.kinds.contains(&c.kind) => match r.verdicts.get(&c.id) {
                    None => {
                        disagreements.push(format!("{}: {n} has no verdict", c.id));
                        counts[i][1] += 1;
                        "NO VERDICT"
                    }
                    Some(v) => {
                        let diff: Vec<&str> = FIELDS
                            .iter()
                            .copied()
                            .filter(|f| r.fields.iter().any(|x| x == f))
                            .filter(|f| v.field(f) != c.expect.field(f))
                            .collect();
                        observed.push((n, r));
                        if diff.is_empty() {
                            counts[i][0] += 1;
                            "ok"
                        } else {
                            counts[i][1] += 1;
                            let mut line = format!("{}: {n} differs in {}", c.id, diff.join(", "));
                            for f in diff {
                                let _ = write!(
                                    line,
                                    "\n      {f}: expected {} got {}",
                                    c.expect.field(f),
                                    v.field(f)
                                );
                            }
                            disagreements.push(line);
                            "DIFFERS"
                        }
                    }
                },
                Runtime::Ran(_) => {
                    counts[i][2] += 1;
                    "n/a"
                }
                Runtime::Missing(_) => {
                    counts[i][2] += 1;
                    "NOT RUN"
                }
                Runtime::NotWired(_) => {
                    counts[i][2] += 1;
                    "not wired"
                }
            };
            let _ = write!(table, " {mark:>10}");
        }
        table.push('\n');
        // Runtimes against each other, on the fields both observe.
        for (i, (a, ra)) in observed.iter().enumerate() {
            for (b, rb) in observed.iter().skip(i + 1) {
                let (Some(va), Some(vb)) = (ra.verdicts.get(&c.id), rb.verdicts.get(&c.id)) else {
                    continue;
                };
                let differ: Vec<String> = FIELDS
                    .iter()
                    .filter(|f| {
                        ra.fields
                            .iter()
                            .chain(&rb.fields)
                            .filter(|x| x == *f)
                            .count()
                            == 2
                    })
                    .filter(|f| va.field(f) != vb.field(f))
                    .map(|f| format!("{f}: {a}={} {b}={}", va.field(f), vb.field(f)))
                    .collect();
                if !differ.is_empty() {
                    disagreements.push(format!("{}: {a} vs {b}: {}", c.id, differ.join("; ")));
                }
            }
        }
    }

    match &table_file {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &table) {
                eprintln!("error: {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
            println!("per-case table (cases × runtimes): {}", p.display());
        }
        None => print!("{table}"),
    }

    println!();
    print!("{:<12}{:>6}", "kind", "cases");
    for (n, _) in &runtimes {
        print!(" {n:>22}");
    }
    println!();
    for (kind, per) in &summary {
        let total = per.first().map_or(0, |c| c.iter().sum::<usize>());
        print!("{:<12}{total:>6}", kind.name());
        for c in per {
            print!(" {:>22}", format!("{} ok {} x {} -", c[0], c[1], c[2]));
        }
        println!();
    }
    println!(
        "(ok = agrees with the expectation on every field the runtime observes; x = disagrees; \
         - = not run, not expressible in its API, or not wired)"
    );

    let mut failed = !disagreements.is_empty();
    println!();
    for (n, rt) in &runtimes {
        match rt {
            Runtime::Ran(r) => println!(
                "runtime {n}: {} verdicts on kinds {}, compared on {}; {} case(s) of those kinds not expressible in its API",
                r.verdicts.len(),
                r.kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join("/"),
                r.fields.join(", "),
                r.not_applicable
                    .keys()
                    .filter(|id| cases
                        .iter()
                        .any(|c| &c.id == *id && r.kinds.contains(&c.kind)))
                    .count()
            ),
            Runtime::Missing(why) => {
                failed = true;
                println!("RUNTIME {n} DID NOT RUN: {why}");
            }
            Runtime::NotWired(why) => println!("RUNTIME {n} NOT WIRED (not compared): {why}"),
        }
    }
    if !disagreements.is_empty() {
        println!("\n{} DISAGREEMENT(S):", disagreements.len());
        for d in &disagreements {
            println!("  {d}");
        }
    }
    if failed {
        println!("\nPARITY FAILED");
        ExitCode::FAILURE
    } else {
        let ran: Vec<String> = runtimes
            .iter()
            .filter_map(|(n, rt)| match rt {
                Runtime::Ran(r) => Some(format!("{n} {}/{}", r.verdicts.len(), cases.len())),
                _ => None,
            })
            .collect();
        println!(
            "\nparity: no disagreement (cases compared: {})",
            ran.join(", ")
        );
        ExitCode::SUCCESS
    }
}
