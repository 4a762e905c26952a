//! Measurements beside the mix: a fresh-connection probe (are valid clients still served, and
//! how fast, while slowloris connections hold slots?) and the server's RSS every second.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::common::client;
use super::mix::ANSWER_TIMEOUT;
use super::{KILLED, Shared};

/// The value at fraction `p` of a sorted slice.
pub(crate) fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied()
}

/// Microseconds as milliseconds, for the report.
pub(crate) fn ms(us: Option<u32>) -> String {
    us.map_or_else(
        || "-".into(),
        |v| format!("{:.1} ms", f64::from(v) / 1000.0),
    )
}

/// One probe: a fresh mTLS connection and a valid `GET /api/whoami`.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub(crate) at: f64,
    pub(crate) latency_us: u32,
    pub(crate) ok: bool,
    pub(crate) cut_by_kill: bool,
    pub(crate) error: Option<String>,
}

/// A probe every `probe_every` until the deadline, with the setup token (issued before the kill).
pub(crate) async fn probe(shared: Arc<Shared>) -> Vec<Probe> {
    let token = shared.pool_pki.lock().expect("pool lock")[0].token.clone();
    let mut out = Vec::new();
    let mut tick = tokio::time::interval(shared.settings.probe_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while Instant::now() < shared.deadline {
        tick.tick().await;
        let generation = shared.phase();
        let t0 = Instant::now();
        let r = tokio::time::timeout(ANSWER_TIMEOUT, async {
            let mut c = client::connect(shared.addr, shared.configs.pki.clone()).await?;
            c.get("/api/whoami", Some(&token)).await
        })
        .await;
        let latency_us = u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX);
        let (ok, error) = match r {
            Ok(Ok(a)) if a.status == 200 => (true, None),
            Ok(Ok(a)) => (false, Some(format!("status {}", a.status))),
            Ok(Err(e)) => (false, Some(e.to_string())),
            Err(_) => (false, Some("timed out".into())),
        };
        let now = shared.phase();
        out.push(Probe {
            at: shared.at(t0),
            latency_us,
            ok,
            cut_by_kill: !ok && (now != generation || now == KILLED),
            error,
        });
    }
    out
}

/// Prints the probe table by phase and returns the failures.
pub(crate) fn report_probes(shared: &Shared, probes: &[Probe], kill: (f64, f64)) -> Vec<String> {
    let mut failures = Vec::new();
    let (s0, s1) = (
        shared.at(shared.slow_window.0),
        shared.at(shared.slow_window.1),
    );
    let end = shared.settings.secs as f64;
    println!(
        "probe (fresh mTLS connection + valid whoami every {} ms):",
        shared.settings.probe_every.as_millis()
    );
    for (name, from, to) in [
        ("before slowloris", 0.0, s0),
        ("during slowloris", s0, s1),
        ("after slowloris, before kill", s1, kill.0),
        ("kill -9 to listening again", kill.0, kill.1),
        ("after restart", kill.1, end + 1.0),
    ] {
        let sel: Vec<&Probe> = probes
            .iter()
            .filter(|p| p.at >= from && p.at < to)
            .collect();
        let ok = sel.iter().filter(|p| p.ok).count();
        let cut = sel.iter().filter(|p| p.cut_by_kill).count();
        let mut lat: Vec<u32> = sel.iter().filter(|p| p.ok).map(|p| p.latency_us).collect();
        lat.sort_unstable();
        println!(
            "  {name:<30} {from:>5.1}–{to:>5.1} s: {ok}/{} ok ({cut} cut by the kill), p50 {} p99 {} max {}",
            sel.len(),
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99)),
            ms(lat.last().copied())
        );
    }
    let bad: Vec<&Probe> = probes.iter().filter(|p| !p.ok && !p.cut_by_kill).collect();
    if !bad.is_empty() {
        failures.push(format!(
            "{} probes failed with the server up, first at {:.1} s: {:?}",
            bad.len(),
            bad[0].at,
            bad[0].error
        ));
    }
    if probes.iter().filter(|p| p.ok).count() == 0 {
        failures.push("no probe succeeded".into());
    }
    failures
}

/// One RSS sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RssSample {
    pub(crate) at: f64,
    pub(crate) pid: u32,
    pub(crate) kib: u64,
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// VmRSS of the running server every second until the deadline.
pub(crate) async fn sample_rss(shared: Arc<Shared>) -> Vec<RssSample> {
    let mut out = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while Instant::now() < shared.deadline {
        tick.tick().await;
        let pid = shared.pid.load(Ordering::SeqCst);
        if pid == 0 {
            continue;
        }
        if let Some(kib) = vm_rss_kib(pid) {
            out.push(RssSample {
                at: shared.at(Instant::now()),
                pid,
                kib,
            });
        }
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Largest allowed growth of the server's RSS from the earlier half of a process's life (after
/// warm-up) to the later half: 8 MiB or a quarter of the earlier peak, whichever is more. A
/// steady leak of 100 bytes a request or 1 KiB a connection exceeds it within the full run.
fn allowed_growth(kib: u64) -> u64 {
    (8 * 1024).max(kib / 4)
}

/// Seconds of a process's life before its RSS counts (connections ramping up).
const WARM_UP_SECS: f64 = 3.0;

/// Prints start/peak/end per server process and checks that RSS stayed flat.
pub(crate) fn report_rss(samples: &[RssSample]) -> Vec<String> {
    let mut failures = Vec::new();
    let mut pids: Vec<u32> = samples.iter().map(|s| s.pid).collect();
    pids.dedup();
    for (n, pid) in pids.iter().enumerate() {
        let sel: Vec<&RssSample> = samples.iter().filter(|s| s.pid == *pid).collect();
        let (Some(first), Some(last)) = (sel.first(), sel.last()) else {
            continue;
        };
        let peak = sel.iter().map(|s| s.kib).max().unwrap_or(0);
        println!(
            "server RSS ({}, pid {pid}): start {} at {:.0} s, peak {}, end {} at {:.0} s ({} samples)",
            if n == 0 {
                "first process"
            } else {
                "after kill -9"
            },
            mib(first.kib),
            first.at,
            mib(peak),
            mib(last.kib),
            last.at,
            sel.len()
        );
        let line: Vec<String> = sel.iter().map(|s| format!("{}", s.kib / 1024)).collect();
        println!("  MiB each second: {}", line.join(" "));
    }
    // Flat: in each process, the later half of its samples (after warm-up) peaks at most
    // `allowed_growth` above the earlier half. (Comparing the stretches before and after
    // slowloris instead would count memory the allocator keeps after the slowloris peak.)
    for pid in &pids {
        let sel: Vec<u64> = samples
            .iter()
            .filter(|s| s.pid == *pid)
            .skip_while({
                let first = samples.iter().find(|s| s.pid == *pid).map_or(0.0, |s| s.at);
                move |s| s.at < first + WARM_UP_SECS
            })
            .map(|s| s.kib)
            .collect();
        if sel.len() < 4 {
            println!("  flat RSS (pid {pid}): too few samples after warm-up");
            continue;
        }
        let (early, late) = sel.split_at(sel.len() / 2);
        let (e, l) = (
            early.iter().copied().max().unwrap_or(0),
            late.iter().copied().max().unwrap_or(0),
        );
        println!(
            "  flat RSS (pid {pid}): earlier-half peak {}, later-half peak {} (allowed growth {})",
            mib(e),
            mib(l),
            mib(allowed_growth(e))
        );
        if l > e + allowed_growth(e) {
            failures.push(format!(
                "server RSS (pid {pid}) grew from {} to {} during the run",
                mib(e),
                mib(l)
            ));
        }
    }
    if samples.is_empty() {
        failures.push("no RSS sample of the server".into());
    }
    failures
}
