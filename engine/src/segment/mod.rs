//! Customer segmentation: RFM features and scores, k-means segments, segment labels.
//!
//! Input is one [`CustomerSummary`] per customer, aggregated in SQL; output keeps the input
//! order, so the caller pairs results with its customer ids by position.
//!
//! * **Features.** Recency is `observation_end - last_purchase` in days, frequency is
//!   `purchases`, monetary is `total_amount` clipped below at 0 (a customer whose refunds
//!   exceed their purchases counts as having spent nothing).
//! * **Scores** (1–5, higher is better) are quintiles with deterministic ties, see [`rfm`].
//! * **k-means** ([`Method::KMeans`]) clusters the standardized (z-score) vectors
//!   `[recency_days, frequency, ln(1 + monetary)]`; the log tames the long tail of spend.
//!   Greedy k-means++ initialisation with a seeded generator, 10 restarts of Lloyd's
//!   algorithm, best inertia kept: the same input and seed give the same segments.
//!   **Sampling rule:** with more than [`KMEANS_SAMPLE`] customers the 10 restarts run on a
//!   seeded sample of [`KMEANS_SAMPLE`] customers, and Lloyd's algorithm then continues on
//!   all customers from the winning centroids (one full-data run instead of ten; the
//!   inertia stays within 1 % of the full algorithm's on our tests).
//! * **Automatic k.** Without `k`, k is the one of [`K_CANDIDATES`] = 4..=8 with the
//!   highest mean silhouette (the smaller k on ties), measured on a seeded sample of at
//!   most [`SILHOUETTE_SAMPLE`] customers (so the cost stays linear in the number of
//!   customers); with fewer than 4 distinct customers (identical features count once) it
//!   is the best of 2..=distinct instead, and a single distinct customer is one segment.
//!   See [`candidate_ks`]. **Why not 2 or 3:** on real purchase data the silhouette is
//!   highest for the coarsest split — one-time buyers against everyone else — because
//!   frequency is mostly 1 and spend has a long tail. On the CDNOW master log (23,570
//!   customers) it peaks at k = 2 (0.58, "Champions" and "Hibernating"), which a merchant
//!   cannot act on; between 4 and 8 segments map onto the RFM vocabulary (Champions, Loyal,
//!   At risk, ...) and onto campaigns, and this is the range analysts usually search with
//!   scikit-learn. Within it the silhouette still decides, so data with 5 clear groups
//!   gets 5. A given `k` (any value from 1 to the number of distinct customers) is used
//!   as it is.
//! * **Labels** come from each segment's mean R, F and M scores, see [`Label`].
//! * [`Method::Quantile`] skips clustering: every customer gets the label of its own
//!   scores on the same grid, and each label present is one segment.
//!
//! Segments are numbered from 1 in [`Label`] order (Champions first). Labels are distinct
//! at every k up to 8 (see [`Label`] for how a segment gets the nearest free label when
//! two would share one); only a given k > 8 repeats labels, and segments that share a label
//! are ordered by their mean R + F + M score, highest first.
//!
//! **Cancellation.** [`segment_customers`] (and [`crate::clv`]'s entry points) take a
//! `cancel: &AtomicBool` that is polled in every long loop (every few thousand customers
//! in each pass, each Lloyd iteration and restart, each k-means++ centre, each silhouette
//! row block, each candidate k); once it is set they return [`ArgError::cancelled`]
//! (argument `cancel`, problem `cancelled`; test with [`ArgError::is_cancelled`]) within
//! milliseconds. A flag already set on entry returns that error before any work.

mod kmeans;
mod labels;
pub(crate) mod radix;

pub use labels::Label;

use crate::rng::Rng;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Largest number of customers the silhouette is measured on when k is chosen.
pub const SILHOUETTE_SAMPLE: usize = 5_000;

/// Largest number of customers the k-means restarts run on (see the sampling rule in
/// the module documentation).
pub const KMEANS_SAMPLE: usize = 50_000;

/// Candidate values of k when the caller gives none (see the module documentation; fewer
/// only when there are fewer distinct customers, see [`candidate_ks`]).
pub const K_CANDIDATES: std::ops::RangeInclusive<usize> = 4..=8;

/// The values of k that automatic k compares, given the number of distinct customers
/// (`distinct >= 2`): [`K_CANDIDATES`] up to `distinct` when `distinct` reaches its start,
/// otherwise `2..=distinct` (two or three distinct customers cannot make four segments).
pub fn candidate_ks(distinct: usize) -> std::ops::RangeInclusive<usize> {
    let (start, end) = (*K_CANDIDATES.start(), *K_CANDIDATES.end());
    if distinct >= start {
        start..=distinct.min(end)
    } else {
        2..=distinct
    }
}

/// What SQL aggregates for one customer. Times are in days since any fixed epoch
/// (fractions allowed); amounts in the shop's currency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerSummary {
    pub first_purchase: f64,
    pub last_purchase: f64,
    /// Number of purchases (distinct orders or distinct purchase days, as the caller
    /// decides); at least 1.
    pub purchases: i64,
    /// Sum of the amounts of all purchases, net of refunds (may be zero or negative).
    pub total_amount: f64,
    /// Mean amount per purchase, used as the Gamma-Gamma spend (see [`crate::clv`]).
    pub mean_amount: f64,
    /// End of the observation window (`as_of`), not before `last_purchase`.
    pub observation_end: f64,
}

/// A bad argument: which one, its value, and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArgError {
    pub argument: String,
    pub value: String,
    pub problem: String,
}

impl ArgError {
    pub(crate) fn new(argument: impl Into<String>, value: impl fmt::Display, problem: impl Into<String>) -> Self {
        ArgError { argument: argument.into(), value: value.to_string(), problem: problem.into() }
    }
}

impl ArgError {
    /// The error of a computation stopped by its cancel flag: argument `cancel`, value
    /// `true`, problem `cancelled` (displayed `cancel = true: cancelled`).
    pub fn cancelled() -> Self {
        ArgError::new("cancel", true, "cancelled")
    }

    /// Whether this is [`ArgError::cancelled`].
    pub fn is_cancelled(&self) -> bool {
        self.argument == "cancel" && self.problem == "cancelled"
    }
}

/// `Err(ArgError::cancelled())` once `cancel` is set.
#[inline]
pub(crate) fn check_cancel(cancel: &AtomicBool) -> Result<(), ArgError> {
    if cancel.load(Ordering::Relaxed) {
        Err(ArgError::cancelled())
    } else {
        Ok(())
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.argument, self.value, self.problem)
    }
}

impl std::error::Error for ArgError {}

impl CustomerSummary {
    /// Checks one customer; `index` is its position, used in the error's argument name.
    pub fn validate(&self, index: usize) -> Result<(), ArgError> {
        let field = |name: &str| format!("customers[{index}].{name}");
        for (name, v) in [
            ("first_purchase", self.first_purchase),
            ("last_purchase", self.last_purchase),
            ("total_amount", self.total_amount),
            ("mean_amount", self.mean_amount),
            ("observation_end", self.observation_end),
        ] {
            if !v.is_finite() {
                return Err(ArgError::new(field(name), v, "must be a finite number"));
            }
        }
        if self.purchases < 1 {
            return Err(ArgError::new(field("purchases"), self.purchases, "must be at least 1"));
        }
        if self.last_purchase < self.first_purchase {
            return Err(ArgError::new(
                field("last_purchase"),
                self.last_purchase,
                format!("is before first_purchase ({})", self.first_purchase),
            ));
        }
        if self.observation_end < self.last_purchase {
            return Err(ArgError::new(
                field("observation_end"),
                self.observation_end,
                format!("is before last_purchase ({})", self.last_purchase),
            ));
        }
        Ok(())
    }
}

/// RFM features and scores of one customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rfm {
    /// Days from the last purchase to the end of observation.
    pub recency_days: f64,
    pub frequency: i64,
    /// Total amount, clipped below at 0.
    pub monetary: f64,
    /// 1–5; 5 = most recent.
    pub r_score: u8,
    /// 1–5; 5 = most purchases.
    pub f_score: u8,
    /// 1–5; 5 = highest spend.
    pub m_score: u8,
}

/// RFM features and quintile scores of every customer, in input order.
///
/// A customer's score on each dimension is `1 + floor(5 * worse / n)`, where `worse` is the
/// number of customers with a strictly worse value (longer recency, fewer purchases, lower
/// spend) and `n` the number of customers. Equal values always get equal scores: a tied
/// group takes the score of its lowest position, so the worst value always scores 1 and
/// scores may skip (if 60 % bought once, they all get F = 1 and the next group F = 4).
/// The result does not depend on the input order.
pub fn rfm(customers: &[CustomerSummary]) -> Result<Vec<Rfm>, ArgError> {
    rfm_with_cancel(customers, &AtomicBool::new(false))
}

/// [`rfm`], polling `cancel` (see the module documentation).
pub fn rfm_with_cancel(customers: &[CustomerSummary], cancel: &AtomicBool) -> Result<Vec<Rfm>, ArgError> {
    check_cancel(cancel)?;
    if customers.is_empty() {
        return Err(ArgError::new("customers", "(empty)", "at least one customer is needed"));
    }
    for (start, chunk) in (0..customers.len()).step_by(kmeans::CHUNK).zip(customers.chunks(kmeans::CHUNK)) {
        check_cancel(cancel)?;
        for (i, c) in (start..).zip(chunk) {
            c.validate(i)?;
        }
    }
    let recency: Vec<f64> = customers.iter().map(|c| c.observation_end - c.last_purchase).collect();
    let r = quintile_scores(&recency, false, cancel)?;
    let frequency: Vec<f64> = customers.iter().map(|c| c.purchases as f64).collect();
    let f = quintile_scores(&frequency, true, cancel)?;
    drop(frequency);
    let monetary: Vec<f64> = customers.iter().map(|c| c.total_amount.max(0.0)).collect();
    let m = quintile_scores(&monetary, true, cancel)?;
    check_cancel(cancel)?;
    Ok((0..customers.len())
        .map(|i| Rfm {
            recency_days: recency[i],
            frequency: customers[i].purchases,
            monetary: monetary[i],
            r_score: r[i],
            f_score: f[i],
            m_score: m[i],
        })
        .collect())
}

/// `1 + floor(5 * worse / n)` for each value (see [`rfm`]): values sorted once with their
/// positions (in `f64::total_cmp` order), then scored run by run of equal values.
fn quintile_scores(values: &[f64], higher_is_better: bool, cancel: &AtomicBool) -> Result<Vec<u8>, ArgError> {
    let n = values.len();
    let mut sorted: Vec<(f64, u32)> = values.iter().zip(0u32..).map(|(&v, i)| (v, i)).collect();
    radix::sort_by_key(&mut sorted, |s| radix::f64_key(s.0), cancel)?;
    let mut scores = vec![0u8; n];
    let mut start = 0;
    while start < n {
        let v = sorted[start].0;
        let end = start + sorted[start..].iter().position(|s| s.0 != v).unwrap_or(n - start);
        // Values below the run are worse when higher is better, values above it otherwise.
        let worse = if higher_is_better { start } else { n - end };
        let score = 1 + (5 * worse / n) as u8;
        sorted[start..end].iter().for_each(|s| scores[s.1 as usize] = score);
        start = end;
    }
    Ok(scores)
}

/// How customers are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// k-means on standardized RFM features, labelled from segment mean scores.
    KMeans,
    /// The classic RFM grid applied to each customer's own scores.
    Quantile,
}

impl FromStr for Method {
    type Err = ArgError;

    /// `"kmeans"` or `"quantile"`.
    fn from_str(s: &str) -> Result<Self, ArgError> {
        match s {
            "kmeans" => Ok(Method::KMeans),
            "quantile" => Ok(Method::Quantile),
            _ => Err(ArgError::new("method", format!("'{s}'"), "must be 'kmeans' or 'quantile'")),
        }
    }
}

/// Options of [`segment_customers`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentOptions {
    pub method: Method,
    /// Number of k-means segments; `None` chooses k in [`K_CANDIDATES`] by silhouette
    /// (see [`candidate_ks`]).
    /// Ignored by [`Method::Quantile`].
    pub k: Option<i64>,
    /// Seed of k-means++ and of the silhouette sample.
    pub seed: u64,
}

/// One customer's result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerSegment {
    pub rfm: Rfm,
    /// 1-based id; `segments[segment - 1]` describes it.
    pub segment: usize,
    /// Euclidean distance, in standardized feature space, to the segment's centroid
    /// (the mean of its members).
    pub distance: f64,
}

/// One segment, summarised over its members.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// 1-based, see the module documentation for the order.
    pub id: usize,
    pub label: Label,
    pub customers: usize,
    /// Means over the members.
    pub recency_days: f64,
    pub frequency: f64,
    pub monetary: f64,
    pub r_score: f64,
    pub f_score: f64,
    pub m_score: f64,
}

/// The result of [`segment_customers`].
#[derive(Clone, Debug, PartialEq)]
pub struct Segmentation {
    /// In input order.
    pub customers: Vec<CustomerSegment>,
    /// Non-empty segments, by id.
    pub segments: Vec<Segment>,
    /// Mean silhouette of the k-means segments on the sample; `None` for the quantile
    /// method and for a single segment.
    pub silhouette: Option<f64>,
}

/// Scores, segments and labels for every customer (see the module documentation).
///
/// `cancel` stops the work early with [`ArgError::cancelled`]; `done` counts the k-means
/// fits finished: 1 for a given k ≥ 2, one per candidate k when k is chosen (at most
/// `K_CANDIDATES.count()` = 5), 0 otherwise.
///
/// Errors: empty input, a bad customer (non-finite number, no purchase, dates out of
/// order), `k < 1`, or `k` larger than the number of distinct customers (customers with
/// identical features count once), or cancellation.
pub fn segment_customers(
    customers: &[CustomerSummary],
    opts: &SegmentOptions,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Result<Segmentation, ArgError> {
    segment_with_sample(customers, opts, KMEANS_SAMPLE, cancel, done)
}

/// [`segment_customers`] with the k-means sample size as a parameter (for tests).
fn segment_with_sample(
    customers: &[CustomerSummary],
    opts: &SegmentOptions,
    kmeans_sample: usize,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Result<Segmentation, ArgError> {
    let rfm = rfm_with_cancel(customers, cancel)?;
    let points = kmeans::standardize(&rfm);
    check_cancel(cancel)?;
    let (groups, silhouette) = match opts.method {
        Method::Quantile => {
            let labels: Vec<Label> = rfm.iter().map(|c| Label::of_scores(c.r_score, c.f_score, c.m_score)).collect();
            (labels.iter().map(|l| *l as usize).collect(), None)
        }
        Method::KMeans => {
            if let Some(k) = opts.k.filter(|&k| k < 1) {
                return Err(ArgError::new("k", k, "must be at least 1"));
            }
            // Distinct points are only counted as far as the checks below need.
            let cap = opts.k.map_or(0, |k| k.min(i64::from(u32::MAX)) as usize).max(*K_CANDIDATES.end());
            let distinct = kmeans::count_distinct_up_to(&points, cap, cancel)?;
            let sample = silhouette_sample(points.len(), opts.seed);
            match opts.k {
                Some(k) if k as u64 > distinct as u64 => {
                    return Err(ArgError::new("k", k, format!("exceeds the number of distinct customers ({distinct})")))
                }
                Some(1) => (vec![0; points.len()], None),
                Some(k) => {
                    let groups = kmeans::kmeans(&points, k as usize, opts.seed, kmeans_sample, cancel)?;
                    let s = kmeans::silhouette(&points, &groups, &sample, cancel)?;
                    done.fetch_add(1, Ordering::Relaxed);
                    (groups, Some(s))
                }
                None if distinct < 2 => (vec![0; points.len()], None),
                None => {
                    let (groups, s) =
                        kmeans::choose_k(&points, distinct, &sample, opts.seed, kmeans_sample, cancel, done)?;
                    (groups, Some(s))
                }
            }
        }
    };
    check_cancel(cancel)?;
    Ok(assemble(rfm, &points, &groups, opts.method, silhouette))
}

/// Indices of at most [`SILHOUETTE_SAMPLE`] customers, drawn without replacement with `seed`.
fn silhouette_sample(n: usize, seed: u64) -> Vec<usize> {
    kmeans::sample_indices(n, SILHOUETTE_SAMPLE, &mut Rng::derive(seed, 0x5111))
}

/// Per-group sums, then means, of what a [`Segment`] reports.
#[derive(Clone, Copy, Default)]
struct Totals {
    customers: usize,
    /// Standardized features (for the centroid).
    point: [f64; 3],
    /// Recency days, frequency, monetary.
    raw: [f64; 3],
    /// R, F, M scores.
    scores: [f64; 3],
}

impl Totals {
    fn add(&mut self, c: &Rfm, p: &[f64; 3]) {
        let raw = [c.recency_days, c.frequency as f64, c.monetary];
        let scores = [c.r_score, c.f_score, c.m_score].map(f64::from);
        for d in 0..3 {
            self.point[d] += p[d];
            self.raw[d] += raw[d];
            self.scores[d] += scores[d];
        }
        self.customers += 1;
    }

    fn means(&self) -> Totals {
        let n = self.customers as f64;
        Totals {
            customers: self.customers,
            point: self.point.map(|v| v / n),
            raw: self.raw.map(|v| v / n),
            scores: self.scores.map(|v| v / n),
        }
    }
}

/// Labels, orders and numbers the groups, and measures each customer's distance to its
/// group's centroid. `groups[i]` is a group key of customer `i` (keys need not be dense).
fn assemble(
    rfm: Vec<Rfm>,
    points: &[[f64; 3]],
    groups: &[usize],
    method: Method,
    silhouette: Option<f64>,
) -> Segmentation {
    let n_keys = groups.iter().max().map_or(0, |m| m + 1);
    let mut totals = vec![Totals::default(); n_keys];
    for ((c, p), &g) in rfm.iter().zip(points).zip(groups) {
        totals[g].add(c, p);
    }
    let keys: Vec<usize> = (0..n_keys).filter(|&g| totals[g].customers > 0).collect();
    let means: Vec<Totals> = keys.iter().map(|&g| totals[g].means()).collect();
    let labels: Vec<Label> = match method {
        Method::Quantile => keys.iter().map(|&g| Label::ALL[g]).collect(),
        Method::KMeans => labels::unique_labels(&means.iter().map(|m| m.scores).collect::<Vec<_>>()),
    };
    let total_score = |i: usize| means[i].scores.iter().sum::<f64>();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| labels[a].cmp(&labels[b]).then(total_score(b).total_cmp(&total_score(a))).then(a.cmp(&b)));
    let mut id_of_key = vec![0; n_keys];
    let mut centroid_of_key = vec![[0.0; 3]; n_keys];
    let segments: Vec<Segment> = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let m = &means[i];
            id_of_key[keys[i]] = pos + 1;
            centroid_of_key[keys[i]] = m.point;
            Segment {
                id: pos + 1,
                label: labels[i],
                customers: m.customers,
                recency_days: m.raw[0],
                frequency: m.raw[1],
                monetary: m.raw[2],
                r_score: m.scores[0],
                f_score: m.scores[1],
                m_score: m.scores[2],
            }
        })
        .collect();
    let customers = rfm
        .into_iter()
        .zip(points)
        .zip(groups)
        .map(|((rfm, p), &g)| CustomerSegment {
            rfm,
            segment: id_of_key[g],
            distance: kmeans::squared_distance(p, &centroid_of_key[g]).sqrt(),
        })
        .collect();
    Segmentation { customers, segments, silhouette }
}

#[cfg(test)]
mod tests;
