//! k-means (via linfa), standardization and the silhouette.

use super::{Rfm, K_CANDIDATES};
use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_clustering::KMeans;
use ndarray::Array2;
use rand_xoshiro::rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

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

/// Number of distinct points (bitwise).
pub(super) fn count_distinct(points: &[[f64; 3]]) -> usize {
    let mut bits: Vec<[u64; 3]> = points.iter().map(|p| p.map(f64::to_bits)).collect();
    bits.sort_unstable();
    bits.dedup();
    bits.len()
}

pub(super) fn squared_distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (0..3).map(|d| (a[d] - b[d]).powi(2)).sum()
}

/// Cluster index of each point: linfa's k-means with its defaults (k-means++ init,
/// 10 runs of which the lowest inertia wins, tolerance 1e-4, at most 300 iterations),
/// seeded with `seed`. `1 <= k <= count_distinct(points)` is required.
pub(super) fn kmeans(points: &[[f64; 3]], k: usize, seed: u64) -> Vec<usize> {
    let data = Array2::from_shape_fn((points.len(), 3), |(i, d)| points[i][d]);
    let model = KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(seed))
        .fit(&DatasetBase::from(data.clone()))
        .expect("k-means on finite points with 1 <= k <= distinct points");
    model.predict(&data).to_vec()
}

/// Mean silhouette over the points at `sample`, measured among those points only.
///
/// For a point, `a` is its mean distance to the other sampled points of its cluster and
/// `b` the smallest mean distance to the sampled points of another cluster;
/// `s = (b - a) / max(a, b)`. A point alone in its cluster, or with no other cluster in
/// the sample, scores 0 (as in scikit-learn).
pub(super) fn silhouette(points: &[[f64; 3]], groups: &[usize], sample: &[usize]) -> f64 {
    let k = sample.iter().map(|&i| groups[i]).max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; k];
    sample.iter().for_each(|&i| size[groups[i]] += 1);
    let mut sum_dist = vec![0.0; k];
    let total: f64 = sample
        .iter()
        .map(|&i| {
            sum_dist.iter_mut().for_each(|s| *s = 0.0);
            for &j in sample {
                sum_dist[groups[j]] += squared_distance(&points[i], &points[j]).sqrt();
            }
            let own = groups[i];
            if size[own] < 2 {
                return 0.0;
            }
            let a = sum_dist[own] / (size[own] - 1) as f64;
            let b = (0..k)
                .filter(|&g| g != own && size[g] > 0)
                .map(|g| sum_dist[g] / size[g] as f64)
                .fold(f64::INFINITY, f64::min);
            if b.is_finite() { (b - a) / a.max(b) } else { 0.0 }
        })
        .sum();
    total / sample.len() as f64
}

/// The k in [`K_CANDIDATES`] (at most `distinct`) with the highest silhouette on `sample`
/// (the smaller k on ties): its clusters and silhouette. `distinct >= 2` is required.
pub(super) fn choose_k(points: &[[f64; 3]], distinct: usize, sample: &[usize], seed: u64) -> (Vec<usize>, f64) {
    let mut best: Option<(Vec<usize>, f64)> = None;
    for k in *K_CANDIDATES.start()..=distinct.min(*K_CANDIDATES.end()) {
        let groups = kmeans(points, k, seed);
        let s = silhouette(points, &groups, sample);
        if best.as_ref().is_none_or(|(_, b)| s > *b) {
            best = Some((groups, s));
        }
    }
    best.expect("at least one candidate k")
}
