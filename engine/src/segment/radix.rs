//! A stable LSD radix sort that polls a cancel flag between passes, so that sorting a
//! million customers never holds off cancellation for more than a few milliseconds
//! (a comparison sort of a million values takes tens of milliseconds in one piece).

use super::{check_cancel, ArgError};
use std::sync::atomic::AtomicBool;

const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;
/// Items between two looks at the cancel flag within a pass.
const CHUNK: usize = 1 << 16;

/// A key whose unsigned order is `f64::total_cmp`'s order.
#[inline]
pub(crate) fn f64_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Sorts `items` by `key`, stably (equal keys keep their order). Passes in which every
/// key has the same digit are skipped.
pub(crate) fn sort_by_key<T: Copy>(
    items: &mut Vec<T>,
    key: impl Fn(&T) -> u64,
    cancel: &AtomicBool,
) -> Result<(), ArgError> {
    let n = items.len();
    if n < 2 {
        return Ok(());
    }
    let mut keys: Vec<u64> = Vec::with_capacity(n);
    for chunk in items.chunks(CHUNK) {
        check_cancel(cancel)?;
        keys.extend(chunk.iter().map(&key));
    }
    let (mut or, mut and) = (0u64, u64::MAX);
    keys.iter().for_each(|&k| {
        or |= k;
        and &= k;
    });
    let varying = or ^ and;
    let mut scratch_items: Vec<T> = items.clone();
    let mut scratch_keys: Vec<u64> = vec![0; n];
    let mut shift = 0;
    while shift < 64 {
        if (varying >> shift) & (BUCKETS as u64 - 1) != 0 {
            check_cancel(cancel)?;
            let digit = |k: u64| ((k >> shift) as usize) & (BUCKETS - 1);
            let mut offsets = [0usize; BUCKETS];
            keys.iter().for_each(|&k| offsets[digit(k)] += 1);
            let mut acc = 0;
            for o in offsets.iter_mut() {
                let c = *o;
                *o = acc;
                acc += c;
            }
            for (start, chunk) in (0..n).step_by(CHUNK).zip(keys.chunks(CHUNK)) {
                check_cancel(cancel)?;
                for (i, &k) in (start..).zip(chunk) {
                    let d = digit(k);
                    scratch_keys[offsets[d]] = k;
                    scratch_items[offsets[d]] = items[i];
                    offsets[d] += 1;
                }
            }
            std::mem::swap(&mut keys, &mut scratch_keys);
            std::mem::swap(items, &mut scratch_items);
        }
        shift += BITS;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_a_stable_comparison_sort() {
        let mut rng = crate::rng::Rng::new(3);
        let values: Vec<f64> = (0..50_000)
            .map(|i| match i % 5 {
                0 => (rng.range(-5, 5)) as f64, // ties, negative, zero
                1 => -0.0,
                2 => rng.normal() * 1e6,
                3 => f64::MAX * if rng.chance(0.5) { 1.0 } else { -1.0 },
                _ => rng.f64(),
            })
            .collect();
        let mut items: Vec<(f64, u32)> = values.iter().zip(0u32..).map(|(&v, i)| (v, i)).collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_by_key(&mut items, |p| f64_key(p.0), &AtomicBool::new(false)).unwrap();
        assert_eq!(
            items.iter().map(|p| (p.0.to_bits(), p.1)).collect::<Vec<_>>(),
            expected.iter().map(|p| (p.0.to_bits(), p.1)).collect::<Vec<_>>()
        );
        let mut small = vec![3u64, 1, 2];
        assert!(sort_by_key(&mut small, |&k| k, &AtomicBool::new(true)).unwrap_err().is_cancelled());
    }
}
