//! k-means (Lloyd's algorithm with greedy k-means++ seeding), standardization and the
//! silhouette, on `[f64; 3]` points. Every loop over the points polls the cancel flag.

use super::{candidate_ks, check_cancel, ArgError, Rfm};
use crate::rng::Rng;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Restarts (k-means++ seedings), of which the lowest inertia wins.
pub(super) const N_INIT: usize = 10;
/// Lloyd iterations per run at most.
const MAX_ITER: usize = 300;
/// A run has converged when the centroids moved, in total squared distance, by at most
/// this times the mean per-feature variance of the data (scikit-learn's rule).
const TOL: f64 = 1e-4;
/// Points between two looks at the cancel flag.
pub(super) const CHUNK: usize = 8_192;

/// `[recency_days, frequency, ln(1 + monetary)]`, each centred and divided by its
/// population standard deviation (a constant column becomes all zeros).
pub(super) fn standardize(rfm: &[Rfm]) -> Vec<[f64; 3]> {
    let raw: Vec<[f64; 3]> = rfm.iter().map(|c| [c.recency_days, c.frequency as f64, c.monetary.ln_1p()]).collect();
    let n = raw.len() as f64;
    let mut mean = [0.0; 3];
    let mut sd = [0.0; 3];
    for d in 0..3 {
        mean[d] = raw.iter().map(|p| p[d]).sum::<f64>() / n;
        let var = raw.iter().map(|p| (p[d] - mean[d]).powi(2)).sum::<f64>() / n;
        sd[d] = if var > 0.0 { var.sqrt() } else { 1.0 };
    }
    raw.iter().map(|p| [0, 1, 2].map(|d| (p[d] - mean[d]) / sd[d])).collect()
}

/// Number of distinct points (bitwise), counted up to `cap`: the result is
/// `min(distinct, cap)`, and the scan stops once `cap` distinct points were seen.
pub(super) fn count_distinct_up_to(points: &[[f64; 3]], cap: usize, cancel: &AtomicBool) -> Result<usize, ArgError> {
    let mut seen: HashSet<[u64; 3]> = HashSet::new();
    for chunk in points.chunks(CHUNK) {
        check_cancel(cancel)?;
        for p in chunk {
            seen.insert(p.map(f64::to_bits));
            if seen.len() >= cap {
                return Ok(cap);
            }
        }
    }
    Ok(seen.len())
}

pub(super) fn squared_distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

/// Index of the nearest centre (the first on ties) and the squared distance to it.
#[inline]
fn nearest(p: &[f64; 3], centers: &[[f64; 3]]) -> (usize, f64) {
    let mut best = (0, squared_distance(p, &centers[0]));
    for (j, c) in centers.iter().enumerate().skip(1) {
        let d = squared_distance(p, c);
        if d < best.1 {
            best = (j, d);
        }
    }
    best
}

/// `m` distinct indices of `0..n` drawn without replacement (partial Fisher–Yates), in
/// the order drawn; all of `0..n` in order when `m >= n`.
pub(super) fn sample_indices(n: usize, m: usize, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    if n > m {
        for i in 0..m {
            let j = rng.range(i as i64, n as i64 - 1) as usize;
            idx.swap(i, j);
        }
        idx.truncate(m);
    }
    idx
}

/// Cluster index of each point. `1 <= k <= distinct points` is required.
///
/// With at most `sample_size` points: [`N_INIT`] runs, each seeded by greedy k-means++
/// (scikit-learn's: 2 + ⌊ln k⌋ candidates per centre, the one lowering the potential most
/// kept) and iterated by Lloyd's algorithm until the labels stop changing, the centroids
/// move by at most the tolerance, or [`MAX_ITER`] iterations; the run with the lowest
/// inertia wins. With more points, the runs are made on a seeded sample of `sample_size`
/// points, and Lloyd's algorithm then continues on all points from the winning centroids.
/// Deterministic for `seed`.
pub(super) fn kmeans(
    points: &[[f64; 3]],
    k: usize,
    seed: u64,
    sample_size: usize,
    cancel: &AtomicBool,
) -> Result<Vec<usize>, ArgError> {
    let tol = TOL * mean_variance(points);
    let mut rng = Rng::derive(seed, 0xC1u64);
    if points.len() > sample_size {
        let mut picked = sample_indices(points.len(), sample_size, &mut rng);
        picked.sort_unstable();
        let sample: Vec<[f64; 3]> = picked.iter().map(|&i| points[i]).collect();
        // A sample with fewer than k distinct points cannot seed k centres: use all points.
        if count_distinct_up_to(&sample, k, cancel)? >= k {
            let (centers, _) = best_of_runs(&sample, k, tol, &mut rng, cancel)?;
            let (labels, _, _) = lloyd(points, centers, tol, cancel)?;
            return Ok(labels.into_iter().map(|l| l as usize).collect());
        }
    }
    let (_, labels) = best_of_runs(points, k, tol, &mut rng, cancel)?;
    Ok(labels.into_iter().map(|l| l as usize).collect())
}

/// Mean over the three features of their population variance.
fn mean_variance(points: &[[f64; 3]]) -> f64 {
    let n = points.len() as f64;
    (0..3)
        .map(|d| {
            let mean = points.iter().map(|p| p[d]).sum::<f64>() / n;
            points.iter().map(|p| (p[d] - mean).powi(2)).sum::<f64>() / n
        })
        .sum::<f64>()
        / 3.0
}

/// The centres and labels of the best of [`N_INIT`] seeded runs (lowest inertia, the
/// first on ties).
fn best_of_runs(
    points: &[[f64; 3]],
    k: usize,
    tol: f64,
    rng: &mut Rng,
    cancel: &AtomicBool,
) -> Result<(Vec<[f64; 3]>, Vec<u32>), ArgError> {
    let mut best: Option<(Vec<[f64; 3]>, Vec<u32>, f64)> = None;
    for _ in 0..N_INIT {
        let init = kmeans_plus_plus(points, k, rng, cancel)?;
        let (labels, centers, inertia) = lloyd(points, init, tol, cancel)?;
        if best.as_ref().is_none_or(|b| inertia < b.2) {
            best = Some((centers, labels, inertia));
        }
    }
    let (centers, labels, _) = best.expect("N_INIT >= 1");
    Ok((centers, labels))
}

/// Greedy k-means++ seeding (as scikit-learn's `_kmeans_plusplus`).
fn kmeans_plus_plus(
    points: &[[f64; 3]],
    k: usize,
    rng: &mut Rng,
    cancel: &AtomicBool,
) -> Result<Vec<[f64; 3]>, ArgError> {
    let n = points.len();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k);
    centers.push(points[rng.range(0, n as i64 - 1) as usize]);
    let mut closest: Vec<f64> = points.iter().map(|p| squared_distance(p, &centers[0])).collect();
    let mut cumulative = vec![0.0; n];
    let mut candidate_d2 = vec![0.0; n];
    let mut best_d2 = vec![0.0; n];
    while centers.len() < k {
        check_cancel(cancel)?;
        let mut acc = 0.0;
        for (c, d) in cumulative.iter_mut().zip(&closest) {
            acc += d;
            *c = acc;
        }
        let mut best: Option<(f64, usize)> = None;
        for _ in 0..trials {
            let r = rng.f64() * acc;
            let cand = cumulative.partition_point(|&c| c <= r).min(n - 1);
            let mut potential = 0.0;
            for chunk in (0..n).step_by(CHUNK) {
                check_cancel(cancel)?;
                for i in chunk..(chunk + CHUNK).min(n) {
                    let d = squared_distance(&points[i], &points[cand]).min(closest[i]);
                    candidate_d2[i] = d;
                    potential += d;
                }
            }
            if best.is_none_or(|(b, _)| potential < b) {
                best = Some((potential, cand));
                std::mem::swap(&mut best_d2, &mut candidate_d2);
            }
        }
        let (_, cand) = best.expect("at least two trials");
        centers.push(points[cand]);
        std::mem::swap(&mut closest, &mut best_d2);
    }
    Ok(centers)
}

/// Labels, centroids and inertia of a k-means run.
type Run = (Vec<u32>, Vec<[f64; 3]>, f64);

/// Lloyd's algorithm from `centers`: labels, centroids and inertia. A cluster left
/// empty takes the point farthest from its own centre (not yet taken), as in scikit-learn.
fn lloyd(points: &[[f64; 3]], mut centers: Vec<[f64; 3]>, tol: f64, cancel: &AtomicBool) -> Result<Run, ArgError> {
    let k = centers.len();
    let mut labels = vec![u32::MAX; points.len()];
    let mut dist = vec![0.0; points.len()];
    let mut sums = vec![[0.0; 3]; k];
    let mut counts = vec![0usize; k];
    for _ in 0..MAX_ITER {
        sums.iter_mut().for_each(|s| *s = [0.0; 3]);
        counts.iter_mut().for_each(|c| *c = 0);
        let mut changed = false;
        for (start, chunk) in (0..points.len()).step_by(CHUNK).zip(points.chunks(CHUNK)) {
            check_cancel(cancel)?;
            for (i, p) in (start..).zip(chunk) {
                let (j, d) = nearest(p, &centers);
                if labels[i] != j as u32 {
                    labels[i] = j as u32;
                    changed = true;
                }
                dist[i] = d;
                counts[j] += 1;
                (0..3).for_each(|e| sums[j][e] += p[e]);
            }
        }
        if !changed {
            // Strict convergence: the centres are the means of their clusters.
            return Ok((labels, centers.clone(), dist.iter().sum()));
        }
        let mut next: Vec<[f64; 3]> = (0..k).map(|j| sums[j].map(|s| s / counts[j].max(1) as f64)).collect();
        relocate_empty(points, &dist, &counts, &mut next);
        let shift: f64 = centers.iter().zip(&next).map(|(a, b)| squared_distance(a, b)).sum();
        centers = next;
        if shift <= tol {
            break;
        }
    }
    // Labels that agree with the final centres.
    let mut inertia = 0.0;
    for (chunk_labels, chunk) in labels.chunks_mut(CHUNK).zip(points.chunks(CHUNK)) {
        check_cancel(cancel)?;
        for (l, p) in chunk_labels.iter_mut().zip(chunk) {
            let (j, d) = nearest(p, &centers);
            *l = j as u32;
            inertia += d;
        }
    }
    Ok((labels, centers, inertia))
}

/// Moves the centre of each empty cluster onto the points farthest from their centres.
fn relocate_empty(points: &[[f64; 3]], dist: &[f64], counts: &[usize], centers: &mut [[f64; 3]]) {
    let empty: Vec<usize> = (0..counts.len()).filter(|&j| counts[j] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let mut far: Vec<usize> = (0..points.len()).collect();
    let m = empty.len().min(far.len());
    far.select_nth_unstable_by(m - 1, |&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
    far.truncate(m);
    far.sort_unstable_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
    for (j, i) in empty.into_iter().zip(far) {
        centers[j] = points[i];
    }
}

/// Mean silhouette over the points at `sample`, measured among those points only.
///
/// For a point, `a` is its mean distance to the other sampled points of its cluster and
/// `b` the smallest mean distance to the sampled points of another cluster;
/// `s = (b - a) / max(a, b)`. A point alone in its cluster, or with no other cluster in
/// the sample, scores 0 (as in scikit-learn).
pub(super) fn silhouette(
    points: &[[f64; 3]],
    groups: &[usize],
    sample: &[usize],
    cancel: &AtomicBool,
) -> Result<f64, ArgError> {
    let k = sample.iter().map(|&i| groups[i]).max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    sample.iter().for_each(|&i| size[groups[i]] += 1);
    let pts: Vec<([f64; 3], usize)> = sample.iter().map(|&i| (points[i], groups[i])).collect();
    let mut sum_dist = vec![0.0; k];
    let mut total = 0.0;
    for (n, (p, own)) in pts.iter().enumerate() {
        if n % 64 == 0 {
            check_cancel(cancel)?;
        }
        sum_dist.iter_mut().for_each(|s| *s = 0.0);
        for (q, g) in &pts {
            sum_dist[*g] += squared_distance(p, q).sqrt();
        }
        let own = *own;
        if size[own] < 2 {
            continue;
        }
        let a = sum_dist[own] / (size[own] - 1) as f64;
        let b = (0..k)
            .filter(|&g| g != own && size[g] > 0)
            .map(|g| sum_dist[g] / size[g] as f64)
            .fold(f64::INFINITY, f64::min);
        total += if b.is_finite() { (b - a) / a.max(b) } else { 0.0 };
    }
    Ok(total / sample.len() as f64)
}

/// The k of [`candidate_ks`]`(distinct)` with the highest silhouette on `sample` (the
/// smaller k on ties): its clusters and silhouette. `distinct >= 2` is required.
/// `done` counts the candidates fitted.
pub(super) fn choose_k(
    points: &[[f64; 3]],
    distinct: usize,
    sample: &[usize],
    seed: u64,
    sample_size: usize,
    cancel: &AtomicBool,
    done: &AtomicUsize,
) -> Result<(Vec<usize>, f64), ArgError> {
    let mut best: Option<(Vec<usize>, f64)> = None;
    for k in candidate_ks(distinct) {
        let groups = kmeans(points, k, seed, sample_size, cancel)?;
        let s = silhouette(points, &groups, sample, cancel)?;
        done.fetch_add(1, Ordering::Relaxed);
        if best.as_ref().is_none_or(|(_, b)| s > *b) {
            best = Some((groups, s));
        }
    }
    Ok(best.expect("at least one candidate k"))
}
