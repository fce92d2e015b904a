//! A small, portable, seedable pseudo-random generator (xoshiro256**, seeded by SplitMix64).
//!
//! Demo data must be identical for a seed on every platform and every release of our
//! dependencies, so the generator is ours rather than `rand`'s (whose streams change
//! between major versions).

/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole stream is a function of `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// An independent stream derived from this seed and a label, so that adding draws
    /// to one part of a simulation does not shift the numbers of another.
    pub fn derive(seed: u64, label: u64) -> Self {
        Rng::new(seed ^ label.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [lo, hi] (inclusive). `lo <= hi` is required.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential draw with the given rate (mean 1 / rate).
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -(1.0 - self.f64()).ln() / rate
    }

    /// Poisson draw: Knuth's method for small means, a rounded normal for large ones.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean < 30.0 {
            let l = (-mean).exp();
            let mut k = 0u64;
            let mut p = 1.0;
            loop {
                p *= self.f64();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
        (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64
    }

    /// Index drawn with probability proportional to `weights` (non-negative, not all zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Index drawn from a cumulative weight table (as built by [`cumulative`]).
    pub fn pick_cumulative(&mut self, cumulative: &[f64]) -> usize {
        let total = *cumulative.last().expect("non-empty cumulative table");
        let x = self.f64() * total;
        cumulative.partition_point(|c| *c <= x).min(cumulative.len() - 1)
    }
}

/// Running sums of `weights`, for repeated draws with [`Rng::pick_cumulative`].
pub fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let a: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..5).scan(Rng::new(7), |r, _| Some(r.next_u64())).collect();
        let c: Vec<u64> = (0..5).scan(Rng::new(8), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn known_first_value_is_stable_across_platforms() {
        // Golden value: if this changes, every seeded demo data set changes too.
        assert_eq!(Rng::new(0).next_u64(), 0x99EC_5F36_CB75_F2B4);
    }

    #[test]
    fn moments_of_distributions() {
        let mut r = Rng::new(42);
        let n = 200_000;
        let mean_u: f64 = (0..n).map(|_| r.f64()).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.005, "uniform mean {mean_u}");
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "normal mean {m} var {v}");
        for mean in [0.3, 4.0, 80.0] {
            let pm = (0..n).map(|_| r.poisson(mean) as f64).sum::<f64>() / n as f64;
            assert!((pm - mean).abs() / mean < 0.02, "poisson({mean}) mean {pm}");
        }
        let em = (0..n).map(|_| r.exponential(2.0)).sum::<f64>() / n as f64;
        assert!((em - 0.5).abs() < 0.01, "exponential mean {em}");
    }

    #[test]
    fn weighted_choice_follows_weights_and_never_picks_zero_weight() {
        let mut r = Rng::new(3);
        let w = [1.0, 0.0, 3.0];
        let cum = cumulative(w);
        let mut counts = [0usize; 3];
        let mut counts_cum = [0usize; 3];
        for _ in 0..40_000 {
            counts[r.weighted(&w)] += 1;
            counts_cum[r.pick_cumulative(&cum)] += 1;
        }
        assert_eq!(counts[1], 0);
        assert_eq!(counts_cum[1], 0);
        let share = counts[2] as f64 / 40_000.0;
        let share_cum = counts_cum[2] as f64 / 40_000.0;
        assert!((share - 0.75).abs() < 0.02 && (share_cum - 0.75).abs() < 0.02);
    }

    #[test]
    fn range_is_inclusive_and_bounded() {
        let mut r = Rng::new(9);
        let mut seen = [false; 4];
        for _ in 0..1000 {
            let x = r.range(2, 5);
            assert!((2..=5).contains(&x));
            seen[(x - 2) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
