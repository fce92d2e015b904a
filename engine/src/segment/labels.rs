//! Segment labels from R, F and M scores.

use std::fmt;

/// A segment's name, from its recency score `R` and `FM = (F + M) / 2`, on this grid
/// (condensed from the usual R × FM segment map to eight names):
///
/// | R \ FM                 | FM < 2      | 2 ≤ FM < 3          | 3 ≤ FM < 4 | FM ≥ 4     |
/// |------------------------|-------------|---------------------|------------|------------|
/// | R ≥ 3.5 (recent)       | New         | Potential loyalists | Loyal      | Champions  |
/// | 2.5 ≤ R < 3.5          | Potential loyalists | Potential loyalists | Loyal | Loyal |
/// | 1.5 ≤ R < 2.5 (lapsing)| Hibernating | Hibernating         | At risk    | Can't lose |
/// | R < 1.5 (gone)         | Lost        | Lost                | At risk    | Can't lose |
///
/// The quantile method applies the grid to each customer's integer scores. k-means
/// applies it to each segment's mean scores and keeps labels unique while there are no
/// more segments than labels: every (segment, label) pair costs the distance from the
/// segment's (R, FM) to the label's [`prototype`](Label::prototype), minus 100 when the
/// grid gives that label; pairs are taken cheapest first (ties: lower segment, then label
/// order) when both are still free. So a segment keeps its grid label unless another
/// segment with the same grid label is nearer the prototype; then it gets the nearest
/// unused label. Beyond eight segments the rest keep their grid label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    Champions,
    Loyal,
    PotentialLoyalists,
    New,
    AtRisk,
    CantLose,
    Hibernating,
    Lost,
}

impl Label {
    /// Every label, in segment order.
    pub const ALL: [Label; 8] = [
        Label::Champions,
        Label::Loyal,
        Label::PotentialLoyalists,
        Label::New,
        Label::AtRisk,
        Label::CantLose,
        Label::Hibernating,
        Label::Lost,
    ];

    /// The name shown to users, e.g. `"Potential loyalists"`.
    pub fn name(self) -> &'static str {
        match self {
            Label::Champions => "Champions",
            Label::Loyal => "Loyal",
            Label::PotentialLoyalists => "Potential loyalists",
            Label::New => "New",
            Label::AtRisk => "At risk",
            Label::CantLose => "Can't lose",
            Label::Hibernating => "Hibernating",
            Label::Lost => "Lost",
        }
    }

    /// The typical (R, FM) of the label, inside its grid cell.
    pub fn prototype(self) -> (f64, f64) {
        match self {
            Label::Champions => (5.0, 5.0),
            Label::Loyal => (3.0, 4.0),
            Label::PotentialLoyalists => (4.0, 2.5),
            Label::New => (5.0, 1.0),
            Label::AtRisk => (2.0, 3.5),
            Label::CantLose => (1.0, 5.0),
            Label::Hibernating => (2.0, 2.0),
            Label::Lost => (1.0, 1.0),
        }
    }

    /// The grid label of R and FM (scores, or means of scores).
    pub fn of_grid(r: f64, fm: f64) -> Label {
        if r >= 3.5 {
            match fm {
                _ if fm >= 4.0 => Label::Champions,
                _ if fm >= 3.0 => Label::Loyal,
                _ if fm >= 2.0 => Label::PotentialLoyalists,
                _ => Label::New,
            }
        } else if r >= 2.5 {
            if fm >= 3.0 {
                Label::Loyal
            } else {
                Label::PotentialLoyalists
            }
        } else if fm >= 4.0 {
            Label::CantLose
        } else if fm >= 3.0 {
            Label::AtRisk
        } else if r >= 1.5 {
            Label::Hibernating
        } else {
            Label::Lost
        }
    }

    /// The grid label of one customer's scores.
    pub fn of_scores(r: u8, f: u8, m: u8) -> Label {
        Label::of_grid(r as f64, (f as f64 + m as f64) / 2.0)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Labels for segments with mean scores `[R, F, M]`, unique where possible (see [`Label`]).
pub(super) fn unique_labels(scores: &[[f64; 3]]) -> Vec<Label> {
    let grid: Vec<Label> = scores.iter().map(|s| Label::of_grid(s[0], (s[1] + s[2]) / 2.0)).collect();
    let mut pairs: Vec<(f64, usize, Label)> = Vec::with_capacity(scores.len() * Label::ALL.len());
    for (i, s) in scores.iter().enumerate() {
        let fm = (s[1] + s[2]) / 2.0;
        for l in Label::ALL {
            let (pr, pfm) = l.prototype();
            let bonus = if grid[i] == l { 100.0 } else { 0.0 };
            pairs.push((((s[0] - pr).powi(2) + (fm - pfm).powi(2)).sqrt() - bonus, i, l));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out: Vec<Option<Label>> = vec![None; scores.len()];
    let mut used = [false; 8];
    for (_, i, l) in pairs {
        if out[i].is_none() && !used[l as usize] {
            out[i] = Some(l);
            used[l as usize] = true;
        }
    }
    out.iter().zip(grid).map(|(o, g)| o.unwrap_or(g)).collect()
}
