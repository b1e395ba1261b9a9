//! Process figures for the load benchmarks, read from Linux's /proc (shared by the benches
//! of the core and of the emulator through `#[path]`).

/// Linux reports `/proc/*/stat` times in USER_HZ, 100 on every mainstream architecture.
const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of `pid` (`self` for this process) in seconds.
pub fn cpu_seconds(pid: &str) -> f64 {
    let (user, system) = user_and_system_seconds(pid);
    user + system
}

/// utime and stime of `pid` in seconds: the split says how much of a client's CPU the
/// kernel's socket work takes.
pub fn user_and_system_seconds(pid: &str) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let mut times = rest
        .split_whitespace()
        .skip(11)
        .map(|f| f.parse::<f64>().unwrap_or(0.0) / TICKS_PER_SECOND);
    (times.next().unwrap_or(0.0), times.next().unwrap_or(0.0))
}

/// Resident set size of `pid` (`self` for this process) in bytes.
pub fn rss_bytes(pid: &str) -> usize {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The one-minute load average, as printed by the kernel.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}
