//! What the bench ends on: every client against das (Rust) at the same size, as ratios of
//! the means over the runs. `--repeat N` runs das and the floor N times, alternating, because
//! one short run's user/kernel split is a sample: the kernel divides a process's exact CPU
//! time between user and kernel by the ticks that found it in each, and the floor's user time
//! at 1,000 sessions is only a few dozen ticks.

use crate::report::Row;

/// The das (Rust) rows, whatever the runtime or transport: `das (Rust)`, `das (Rust,
/// multi-thread runtime)`, `das (Rust, TLS, private CA)`. Each line names both clients, so a
/// TLS row set against the plain floor says so.
const DAS: &str = "das (Rust";

/// One client's rows at one size, in run order.
struct Runs<'a> {
    client: &'a str,
    sessions: usize,
    rows: Vec<&'a Row>,
}

impl Runs<'_> {
    fn mean(&self, figure: fn(&Row) -> f64) -> f64 {
        self.rows.iter().map(|row| figure(row)).sum::<f64>() / self.rows.len() as f64
    }

    /// "mean (lowest–highest)", or the one figure of a single run.
    fn spread(&self, figure: fn(&Row) -> f64) -> String {
        let values = self.rows.iter().map(|row| figure(row));
        let low = values.clone().fold(f64::INFINITY, f64::min);
        let high = values.fold(f64::NEG_INFINITY, f64::max);
        if self.rows.len() == 1 {
            format!("{low:.4}")
        } else {
            format!("{:.4} ({low:.4}–{high:.4})", self.mean(figure))
        }
    }
}

fn all(row: &Row) -> f64 {
    row.cpu_seconds_per_session_minute
}

fn user(row: &Row) -> f64 {
    row.user_seconds_per_session_minute
}

fn kernel(row: &Row) -> f64 {
    row.cpu_seconds_per_session_minute - row.user_seconds_per_session_minute
}

/// The rows grouped by client and size, in the order they first ran.
fn grouped(rows: &[Row]) -> Vec<Runs<'_>> {
    let mut groups: Vec<Runs> = Vec::new();
    for row in rows {
        match groups
            .iter_mut()
            .find(|g| g.client == row.client && g.sessions == row.sessions)
        {
            Some(group) => group.rows.push(row),
            None => groups.push(Runs {
                client: &row.client,
                sessions: row.sessions,
                rows: vec![row],
            }),
        }
    }
    groups
}

/// With repeated runs, a table of each client's mean and range; then every other client
/// against das (Rust) at the same size, in all, in user space and (for the floor) in the
/// kernel.
pub fn print_ratios(rows: &[Row]) {
    let groups = grouped(rows);
    if groups.iter().any(|g| g.rows.len() > 1) {
        print_means(&groups);
    }
    println!();
    for theirs in groups.iter().filter(|g| !g.client.starts_with(DAS)) {
        let Some(ours) = groups
            .iter()
            .find(|g| g.client.starts_with(DAS) && g.sessions == theirs.sessions)
        else {
            continue;
        };
        // das is set against the floor ("das uses N× the floor's CPU"), every other client
        // against das; the floor's line also splits out the kernel.
        let floor = theirs.client.starts_with("floor");
        let (over, under) = if floor {
            (ours, theirs)
        } else {
            (theirs, ours)
        };
        let kernel_ratio = if floor {
            format!(
                ", {} in the kernel",
                ratio(over.mean(kernel), under.mean(kernel))
            )
        } else {
            String::new()
        };
        // Runs pair up in order: a floor run with the das run just before it, a bindings
        // run with the das run of the same index.
        let runs = match theirs.rows.len() {
            1 => String::new(),
            n => format!(
                "; means of {n} runs, per run {}",
                range_of_ratios(&over.rows, &under.rows)
            ),
        };
        println!(
            "{} sessions: {} uses {} the CPU per session-minute of {} ({} in user space{kernel_ratio}){runs}",
            theirs.sessions,
            over.client,
            ratio(over.mean(all), under.mean(all)),
            under.client,
            ratio(over.mean(user), under.mean(user)),
        );
    }
}

fn print_means(groups: &[Runs]) {
    println!();
    println!("| client | sessions | runs | CPU s / session-minute, mean (range) | user | kernel |");
    println!("|---|---|---|---|---|---|");
    for group in groups {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            group.client,
            group.sessions,
            group.rows.len(),
            group.spread(all),
            group.spread(user),
            group.spread(kernel),
        );
    }
}

/// The lowest and highest ratio of paired runs, `over` / `under`.
fn range_of_ratios(over: &[&Row], under: &[&Row]) -> String {
    let ratios: Vec<f64> = over
        .iter()
        .zip(under)
        .filter(|(_, u)| all(u) > 0.0)
        .map(|(o, u)| all(o) / all(u))
        .collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if ratios.is_empty() {
        "–".into()
    } else {
        format!("{low:.2}–{high:.2}×")
    }
}

/// `a / b` as "1.23×", or "–" when `b` is below the 10 ms the kernel counts CPU time in (a
/// single floor session can take none).
fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "–".into()
    }
}
