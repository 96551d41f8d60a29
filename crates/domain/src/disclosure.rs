//! Disclosure control for figures that leave the partnership: small numbers (below a
//! threshold, 5 unless the setting says otherwise) are shown as "fewer than 5", and
//! further cells are withheld (secondary suppression) so that no suppressed number can
//! be worked out from the totals shown beside it, nor from last month's published
//! figure.
//!
//! The engine works on numbers and the sums that tie them together: a cell is
//! *derivable* when the sums and the cells shown fix its value, either exactly (it is a
//! combination of the sums: a rank test) or through the bounds a reader knows ("fewer
//! than 5" is 1 to 4; a withheld cell is 0 or more). While a suppressed cell is
//! derivable, the smallest shown cell in a sum with it is withheld too.

use serde::{Deserialize, Serialize};

use crate::datasets::{Figure, PeriodRule, Value};

/// The default threshold: counts from 1 to 4 are not shown.
pub const DEFAULT_THRESHOLD: i64 = 5;

/// How a cell is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Shown,
    /// Below the threshold ("fewer than 5").
    Small,
    /// Withheld so a small one cannot be worked out.
    Withheld,
}

impl Mark {
    pub fn suppressed(self) -> bool {
        self != Mark::Shown
    }
}

/// The cells in `parts` add up to the cell `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub parts: Vec<usize>,
    pub total: usize,
}

/// Decide how each cell is published. `forced` cells are suppressed whatever their
/// size (a cell that would reveal a small change since last month's figure).
pub fn protect(cells: &[i64], sums: &[Sum], threshold: i64, forced: &[bool]) -> Vec<Mark> {
    let mut marks: Vec<Mark> = cells
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if (1..threshold).contains(&v) {
                Mark::Small
            } else if forced.get(i).copied().unwrap_or(false) {
                Mark::Withheld
            } else {
                Mark::Shown
            }
        })
        .collect();
    while let Some(exposed) = (0..cells.len()).find(|&i| marks[i].suppressed() && derivable(cells, &marks, sums, threshold, i)) {
        // The smallest shown cell in a sum with the exposed one (a part before a total),
        // or failing that the smallest shown cell anywhere.
        let related = sums
            .iter()
            .filter(|s| s.total == exposed || s.parts.contains(&exposed))
            .flat_map(|s| s.parts.iter().map(|&p| (p, 0)).chain([(s.total, 1)]));
        let pick = |it: &mut dyn Iterator<Item = (usize, i32)>| {
            it.filter(|&(c, _)| marks[c] == Mark::Shown).min_by_key(|&(c, is_total)| (is_total, cells[c] == 0, cells[c], c)).map(|(c, _)| c)
        };
        let next = pick(&mut related.into_iter()).or_else(|| pick(&mut (0..cells.len()).map(|c| (c, 0))));
        match next {
            Some(c) => marks[c] = Mark::Withheld,
            None => break,
        }
    }
    marks
}

/// Whether cell `i` (suppressed) can be worked out from what is shown.
pub fn derivable(cells: &[i64], marks: &[Mark], sums: &[Sum], threshold: i64, i: usize) -> bool {
    fixed_by_sums(marks, sums, i) || fixed_by_bounds(cells, marks, sums, threshold, i)
}

/// The rank test: the unit vector of cell `i` lies in the span of the sums' equations
/// over the suppressed cells.
fn fixed_by_sums(marks: &[Mark], sums: &[Sum], i: usize) -> bool {
    let unknown: Vec<usize> = (0..marks.len()).filter(|&c| marks[c].suppressed()).collect();
    let col = |c: usize| unknown.iter().position(|&u| u == c);
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for s in sums {
        let mut row = vec![0.0; unknown.len()];
        for &p in &s.parts {
            if let Some(k) = col(p) {
                row[k] += 1.0;
            }
        }
        if let Some(k) = col(s.total) {
            row[k] -= 1.0;
        }
        if row.iter().any(|v| *v != 0.0) {
            rows.push(row);
        }
    }
    let Some(target) = col(i) else { return false };
    let before = rank(rows.clone());
    let mut unit = vec![0.0; unknown.len()];
    unit[target] = 1.0;
    rows.push(unit);
    rank(rows) == before
}

fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else { break };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        for k in 0..m.len() {
            if k != r {
                let f = m[k][c] / m[r][c];
                if f != 0.0 {
                    let pivot = m[r].clone();
                    for (x, p) in m[k].iter_mut().zip(pivot.iter()).skip(c) {
                        *x -= f * p;
                    }
                }
            }
        }
        r += 1;
        if r == m.len() {
            break;
        }
    }
    r
}

const HUGE: i64 = i64::MAX / 8;

/// The bounds test: what a reader knows of each suppressed cell (1 to threshold - 1
/// for a small one, 0 or more for a withheld one), narrowed through every sum until
/// nothing changes; derivable if cell `i` is left with one possible value.
fn fixed_by_bounds(cells: &[i64], marks: &[Mark], sums: &[Sum], threshold: i64, i: usize) -> bool {
    let mut lo: Vec<i64> = (0..cells.len())
        .map(|c| {
            if marks[c] == Mark::Shown {
                cells[c]
            } else if marks[c] == Mark::Small {
                1
            } else {
                0
            }
        })
        .collect();
    let mut hi: Vec<i64> = (0..cells.len())
        .map(|c| {
            if marks[c] == Mark::Shown {
                cells[c]
            } else if marks[c] == Mark::Small {
                threshold - 1
            } else {
                HUGE
            }
        })
        .collect();
    for _ in 0..(4 * cells.len() + 4) {
        let mut changed = false;
        for s in sums {
            // total = sum(parts): each part is total minus the others; the total is the
            // sum of the parts.
            let (plo, phi) = s.parts.iter().fold((0i64, 0i64), |(a, b), &p| (a.saturating_add(lo[p]), b.saturating_add(hi[p]).min(HUGE)));
            let t = s.total;
            if plo > lo[t] {
                lo[t] = plo;
                changed = true;
            }
            if phi < hi[t] {
                hi[t] = phi;
                changed = true;
            }
            for &p in &s.parts {
                let others_lo = plo - lo[p];
                let others_hi = if phi >= HUGE { HUGE } else { phi - hi[p] };
                let new_hi = if hi[t] >= HUGE { HUGE } else { hi[t] - others_lo };
                let new_lo = if others_hi >= HUGE { lo[p] } else { lo[t] - others_hi };
                if new_hi < hi[p] {
                    hi[p] = new_hi;
                    changed = true;
                }
                if new_lo > lo[p] {
                    lo[p] = new_lo;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    lo[i] == hi[i]
}

// ---------------------------------------------------------------- figures

/// One published number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shown", rename_all = "kebab-case")]
pub enum Cell {
    Value { value: Value },
    FewerThan { threshold: i64 },
    Withheld,
}

impl Cell {
    pub fn display(self) -> String {
        match self {
            Cell::Value { value } => value.display(),
            Cell::FewerThan { threshold } => format!("fewer than {threshold}"),
            Cell::Withheld => "withheld (protects a small number)".to_string(),
        }
    }
    pub fn value(self) -> Option<Value> {
        match self {
            Cell::Value { value } => Some(value),
            _ => None,
        }
    }
}

/// A figure as published: the total and each breakdown row, protected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    pub measure: String,
    pub total: Cell,
    pub breakdowns: Vec<(crate::datasets::Dimension, Vec<(String, Cell)>)>,
}

/// The counts a figure's suppression works on, one table per additive part (a count; a
/// proportion's numerator and its remainder), in cell order: the total, then every
/// breakdown row.
fn count_tables(f: &Figure) -> Vec<Vec<i64>> {
    let cells: Vec<Value> = std::iter::once(f.total).chain(f.breakdowns.iter().flat_map(|b| b.rows.iter().map(|(_, v)| *v))).collect();
    match f.total {
        Value::Count { .. } => vec![cells.iter().map(|v| v.size()).collect()],
        Value::Proportion { .. } => vec![
            cells.iter().map(|v| if let Value::Proportion { numerator, .. } = v { *numerator } else { 0 }).collect(),
            cells.iter().map(|v| if let Value::Proportion { numerator, denominator } = v { denominator - numerator } else { 0 }).collect(),
        ],
        Value::Median { .. } => vec![cells.iter().map(|v| v.size()).collect()],
    }
}

/// Protect a measure's figure for publication. `previous` is last month's published
/// figure: for a figure counted "open on the last day", a small change from a number
/// shown then would reveal the children who joined or left, so that cell is withheld.
pub fn publish(f: &Figure, period: PeriodRule, threshold: i64, previous: Option<&Published>) -> Published {
    let tables = count_tables(f);
    let n = tables[0].len();
    let mut sums = Vec::new();
    let mut next = 1;
    let additive = !matches!(f.total, Value::Median { .. });
    for b in &f.breakdowns {
        let parts: Vec<usize> = (next..next + b.rows.len()).collect();
        next += b.rows.len();
        if additive {
            sums.push(Sum { parts, total: 0 });
        }
    }
    let mut forced = vec![false; n];
    if let (Some(p), PeriodRule::OpenOnLastDay) = (previous, period) {
        let prev: Vec<Cell> = std::iter::once(p.total).chain(p.breakdowns.iter().flat_map(|(_, rows)| rows.iter().map(|(_, c)| *c))).collect();
        let now: Vec<Value> = std::iter::once(f.total).chain(f.breakdowns.iter().flat_map(|b| b.rows.iter().map(|(_, v)| *v))).collect();
        for (i, v) in now.iter().enumerate() {
            if let Some(Cell::Value { value }) = prev.get(i) {
                let d = (v.size() - value.size()).abs();
                if matches!(v, Value::Count { .. }) && (1..threshold).contains(&d) {
                    forced[i] = true;
                }
            }
        }
    }
    // A proportion's two tables share their cells' fate: repeat until neither adds one.
    let mut marks = vec![Mark::Shown; n];
    for _ in 0..n + 1 {
        let before = marks.clone();
        for t in &tables {
            let force: Vec<bool> = (0..n).map(|i| forced[i] || marks[i].suppressed()).collect();
            let m = protect(t, &sums, threshold, &force);
            for i in 0..n {
                marks[i] = match (marks[i], m[i]) {
                    (Mark::Small, _) | (_, Mark::Small) => Mark::Small,
                    (Mark::Withheld, _) | (_, Mark::Withheld) => Mark::Withheld,
                    _ => Mark::Shown,
                };
            }
        }
        if marks == before {
            break;
        }
    }
    let cell = |i: usize, v: Value| match marks[i] {
        Mark::Shown => Cell::Value { value: v },
        Mark::Small => Cell::FewerThan { threshold },
        Mark::Withheld => Cell::Withheld,
    };
    let mut i = 1;
    let breakdowns = f
        .breakdowns
        .iter()
        .map(|b| {
            let rows = b
                .rows
                .iter()
                .map(|(l, v)| {
                    let c = cell(i, *v);
                    i += 1;
                    (l.clone(), c)
                })
                .collect();
            (b.dimension, rows)
        })
        .collect();
    Published { measure: f.measure.clone(), total: cell(0, f.total), breakdowns }
}

/// The figure in full, for those allowed to see unsuppressed numbers.
pub fn unsuppressed(f: &Figure) -> Published {
    Published {
        measure: f.measure.clone(),
        total: Cell::Value { value: f.total },
        breakdowns: f
            .breakdowns
            .iter()
            .map(|b| (b.dimension, b.rows.iter().map(|(l, v)| (l.clone(), Cell::Value { value: *v })).collect()))
            .collect(),
    }
}

/// The dataset as rows for a spreadsheet: a headings row, then each measure's total
/// and breakdown rows. Police-only measures only when `police` is true.
pub fn table_rows(
    month: crate::datasets::Month,
    status: &str,
    measures: &[crate::datasets::Measure],
    figures: &[Published],
    police: bool,
) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "Month".to_string(),
        "Status".to_string(),
        "Measure".to_string(),
        "Breakdown".to_string(),
        "Row".to_string(),
        "Figure".to_string(),
        "How it is counted".to_string(),
        "Definition version".to_string(),
    ]];
    for m in measures {
        if m.police_only && !police {
            continue;
        }
        let Some(p) = figures.iter().find(|p| p.measure == m.slug) else { continue };
        let line = |breakdown: &str, row: &str, cell: Cell| {
            vec![
                month.to_string(),
                status.to_string(),
                m.name.clone(),
                breakdown.to_string(),
                row.to_string(),
                cell.display(),
                m.how_counted(),
                m.version.to_string(),
            ]
        };
        rows.push(line("Total", "", p.total));
        for (d, cells) in &p.breakdowns {
            for (label, c) in cells {
                rows.push(line(d.label(), label, *c));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small seeded generator (xorshift), so a failure can be replayed from its seed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A table of `r` rows and `c` columns with its row totals, column totals and grand
    /// total, as cells and sums: inner cells first (row by row), then row totals, then
    /// column totals, then the grand total.
    fn table(inner: &[Vec<i64>]) -> (Vec<i64>, Vec<Sum>) {
        let r = inner.len();
        let c = inner[0].len();
        let mut cells: Vec<i64> = inner.iter().flatten().copied().collect();
        let row_total = |i: usize| r * c + i;
        let col_total = |j: usize| r * c + r + j;
        let grand = r * c + r + c;
        cells.extend(inner.iter().map(|row| row.iter().sum::<i64>()));
        cells.extend((0..c).map(|j| inner.iter().map(|row| row[j]).sum::<i64>()));
        cells.push(cells[..r * c].iter().sum());
        let mut sums = Vec::new();
        for i in 0..r {
            sums.push(Sum { parts: (0..c).map(|j| i * c + j).collect(), total: row_total(i) });
        }
        for j in 0..c {
            sums.push(Sum { parts: (0..r).map(|i| i * c + j).collect(), total: col_total(j) });
        }
        sums.push(Sum { parts: (0..r).map(row_total).collect(), total: grand });
        sums.push(Sum { parts: (0..c).map(col_total).collect(), total: grand });
        (cells, sums)
    }

    /// Every value each suppressed cell could take, given what is shown: a search over
    /// the hidden inner cells (each "fewer than" one 1 to threshold - 1, each withheld
    /// one 0 to `cap`), keeping only the tables whose totals agree with every total
    /// shown and every total's mark. Independent of the engine's own tests.
    fn possible_values(r: usize, c: usize, cells: &[i64], marks: &[Mark], threshold: i64, cap: i64) -> Vec<std::collections::BTreeSet<i64>> {
        let mut seen = vec![std::collections::BTreeSet::new(); cells.len()];
        let mut trial: Vec<i64> = cells[..r * c].to_vec();
        fn fits(v: i64, m: Mark, shown: i64, threshold: i64) -> bool {
            match m {
                Mark::Shown => v == shown,
                Mark::Small => (1..threshold).contains(&v),
                Mark::Withheld => v >= 0,
            }
        }
        #[allow(clippy::too_many_arguments)]
        fn go(
            k: usize,
            r: usize,
            c: usize,
            cells: &[i64],
            marks: &[Mark],
            t: i64,
            cap: i64,
            trial: &mut Vec<i64>,
            seen: &mut [std::collections::BTreeSet<i64>],
        ) {
            if k == r * c {
                let rows: Vec<i64> = (0..r).map(|i| (0..c).map(|j| trial[i * c + j]).sum()).collect();
                let cols: Vec<i64> = (0..c).map(|j| (0..r).map(|i| trial[i * c + j]).sum()).collect();
                let grand: i64 = rows.iter().sum();
                let all: Vec<i64> = trial.iter().copied().chain(rows).chain(cols).chain([grand]).collect();
                if all.iter().enumerate().all(|(i, &v)| fits(v, marks[i], cells[i], t)) {
                    for (i, &v) in all.iter().enumerate() {
                        if marks[i].suppressed() {
                            seen[i].insert(v);
                        }
                    }
                }
                return;
            }
            // Prune: a finished row must match its total when that is shown.
            let options: Vec<i64> = match marks[k] {
                Mark::Shown => vec![cells[k]],
                Mark::Small => (1..t).collect(),
                Mark::Withheld => (0..=cap).collect(),
            };
            for v in options {
                trial[k] = v;
                if (k + 1).is_multiple_of(c) {
                    let i = k / c;
                    let sum: i64 = (0..c).map(|j| trial[i * c + j]).sum();
                    if !fits(sum, marks[r * c + i], cells[r * c + i], t) {
                        continue;
                    }
                }
                go(k + 1, r, c, cells, marks, t, cap, trial, seen);
            }
            trial[k] = cells[k];
        }
        go(0, r, c, cells, marks, threshold, cap, &mut trial, &mut seen);
        seen
    }

    #[test]
    fn no_suppressed_cell_can_be_worked_out_from_the_totals_shown() {
        let mut rng = Rng(0x5eed_2026);
        let threshold = DEFAULT_THRESHOLD;
        let mut suppressed_seen = 0;
        let mut skipped = 0;
        for case in 0..400 {
            let r = 1 + rng.below(3) as usize;
            let c = 2 + rng.below(2) as usize;
            // Mostly small numbers, some zeros, some large.
            let inner: Vec<Vec<i64>> = (0..r)
                .map(|_| {
                    (0..c)
                        .map(|_| match rng.below(10) {
                            0 | 1 => 0,
                            2..=5 => 1 + rng.below(4) as i64,
                            _ => 5 + rng.below(8) as i64,
                        })
                        .collect()
                })
                .collect();
            let (cells, sums) = table(&inner);
            let marks = protect(&cells, &sums, threshold, &[]);
            for (i, &v) in cells.iter().enumerate() {
                if (1..threshold).contains(&v) {
                    assert_eq!(marks[i], Mark::Small, "case {case}: a small cell is shown: {inner:?}");
                }
            }
            let hidden = marks[..r * c].iter().filter(|m| **m == Mark::Withheld).count();
            let cap = cells.iter().copied().max().unwrap_or(0) + 6;
            let work: f64 = marks[..r * c]
                .iter()
                .map(|m| match m {
                    Mark::Shown => 1.0,
                    Mark::Small => (threshold - 1) as f64,
                    Mark::Withheld => (cap + 1) as f64,
                })
                .product();
            if hidden > 4 || work > 2e5 {
                skipped += 1;
                continue; // beyond the search's reach; rare
            }
            let possible = possible_values(r, c, &cells, &marks, threshold, cap);
            for (i, m) in marks.iter().enumerate() {
                if m.suppressed() {
                    suppressed_seen += 1;
                    assert!(possible[i].len() >= 2, "case {case}: cell {i} ({}) can be worked out: table {inner:?}, marks {marks:?}", cells[i]);
                }
            }
        }
        assert!(suppressed_seen > 200 && skipped < 200, "the cases exercised suppression: {suppressed_seen} cells, {skipped} cases skipped");
    }

    #[test]
    fn one_small_cell_beside_a_total_takes_another_with_it() {
        // 3 + 10 + 12 = 25: with the total shown the 3 is 25 - 22, so the 10 goes too.
        let cells = [25, 3, 10, 12];
        let sums = [Sum { parts: vec![1, 2, 3], total: 0 }];
        let marks = protect(&cells, &sums, 5, &[]);
        assert_eq!(marks, vec![Mark::Shown, Mark::Small, Mark::Withheld, Mark::Shown]);
    }

    #[test]
    fn a_small_change_in_an_open_count_since_last_month_is_withheld() {
        use crate::datasets::{Breakdown, Dimension};
        let f = |n: i64| Figure { measure: "open".into(), version: 1, total: Value::Count { n }, breakdowns: vec![] };
        let last = publish(&f(12), PeriodRule::OpenOnLastDay, 5, None);
        assert_eq!(last.total, Cell::Value { value: Value::Count { n: 12 } });
        assert_eq!(publish(&f(14), PeriodRule::OpenOnLastDay, 5, Some(&last)).total, Cell::Withheld);
        assert_eq!(publish(&f(20), PeriodRule::OpenOnLastDay, 5, Some(&last)).total, Cell::Value { value: Value::Count { n: 20 } });
        let _ = Breakdown { dimension: Dimension::Gender, rows: vec![] };
    }
}
