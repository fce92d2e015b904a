//! The standard normal distribution: density, distribution function, quantile, and the
//! standard normal loss function used for fill-rate targets.

use std::f64::consts::PI;

/// Density φ(z).
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Distribution function Φ(z) = P(Z ≤ z).
pub fn cdf(z: f64) -> f64 {
    if z > 0.0 {
        1.0 - upper_tail(z)
    } else {
        upper_tail(-z)
    }
}

/// Upper tail 1 − Φ(z), with a relative error below 1e-13 also far in the right tail:
/// Hart's algorithm 5666 below z = 3 (as given by G. West, "Better approximations to
/// cumulative normal functions", Wilmott Magazine, 2005), where it is accurate to about
/// 1e-14 relative, and Laplace's continued fraction from 3 on.
pub fn upper_tail(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z < 0.0 {
        return 1.0 - upper_tail(-z);
    }
    if z > 37.0 {
        return 0.0;
    }
    let e = (-0.5 * z * z).exp();
    if z < 3.0 {
        let num = [
            3.526_249_659_989_11e-2,
            0.700_383_064_443_688,
            6.373_962_203_531_65,
            33.912_866_078_383,
            112.079_291_497_871,
            221.213_596_169_931,
            220.206_867_912_376,
        ];
        let den = [
            8.838_834_764_831_84e-2,
            1.755_667_163_182_64,
            16.064_177_579_207,
            86.780_732_202_946_1,
            296.564_248_779_674,
            637.333_633_378_831,
            793.826_512_519_948,
            440.413_735_824_752,
        ];
        e * horner(&num, z) / horner(&den, z)
    } else {
        // Laplace's continued fraction φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))), 50 terms.
        let cf = (1..=50).rev().fold(z, |acc, k| z + k as f64 / acc);
        e / cf / (2.0 * PI).sqrt()
    }
}

/// Quantile Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16, Applied Statistics 37(3), 1988),
/// accurate to about 1e-16. Returns −∞ for p ≤ 0, +∞ for p ≥ 1 and NaN for NaN; callers
/// validate probabilities before calling.
#[allow(clippy::excessive_precision)] // the coefficients as published
pub fn quantile(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let a = [
            2.509_080_928_730_122_672_7e3,
            3.343_057_558_358_812_810_5e4,
            6.726_577_092_700_870_085_3e4,
            4.592_195_393_154_987_145_7e4,
            1.373_169_376_550_946_112_5e4,
            1.971_590_950_306_551_442_7e3,
            1.331_416_678_917_843_774_5e2,
            3.387_132_872_796_366_608_0,
        ];
        let b = [
            5.226_495_278_852_854_561_0e3,
            2.872_908_573_572_194_267_4e4,
            3.930_789_580_009_271_061_0e4,
            2.121_379_430_158_659_586_7e4,
            5.394_196_021_424_751_107_7e3,
            6.871_870_074_920_579_083_0e2,
            4.231_333_070_160_091_125_2e1,
            1.0,
        ];
        return q * horner(&a, r) / horner(&b, r);
    }
    let mut r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let x = if r <= 5.0 {
        r -= 1.6;
        let c = [
            7.745_450_142_783_414_076_40e-4,
            2.272_384_498_926_918_458_33e-2,
            2.417_807_251_774_506_117_70e-1,
            1.270_458_252_452_368_382_58,
            3.647_848_324_763_204_605_04,
            5.769_497_221_460_691_405_50,
            4.630_337_846_156_545_295_90,
            1.423_437_110_749_683_577_34,
        ];
        let d = [
            1.050_750_071_644_416_843_24e-9,
            5.475_938_084_995_344_946_00e-4,
            1.519_866_656_361_645_719_66e-2,
            1.481_039_764_274_800_745_90e-1,
            6.897_673_349_851_000_045_50e-1,
            1.676_384_830_183_803_849_40,
            2.053_191_626_637_758_821_87,
            1.0,
        ];
        horner(&c, r) / horner(&d, r)
    } else {
        r -= 5.0;
        let e = [
            2.010_334_399_292_288_132_65e-7,
            2.711_555_568_743_487_578_15e-5,
            1.242_660_947_388_078_438_60e-3,
            2.653_218_952_657_612_309_30e-2,
            2.965_605_718_285_048_912_30e-1,
            1.784_826_539_917_291_335_80,
            5.463_784_911_164_114_369_90,
            6.657_904_643_501_103_777_20,
        ];
        let f = [
            2.044_263_103_389_939_785_64e-15,
            1.421_511_758_316_445_888_70e-7,
            1.846_318_317_510_054_681_80e-5,
            7.868_691_311_456_132_591_00e-4,
            1.487_536_129_085_061_485_25e-2,
            1.369_298_809_227_358_053_10e-1,
            5.998_322_065_558_879_376_90e-1,
            1.0,
        ];
        horner(&e, r) / horner(&f, r)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// Standard normal loss function G(z) = E[(Z − z)⁺] = φ(z) − z·(1 − Φ(z)): the expected
/// shortage per unit of standard deviation when the safety factor is z.
pub fn loss(z: f64) -> f64 {
    (pdf(z) - z * upper_tail(z)).max(0.0)
}

/// Inverse of [`loss`]: the z with G(z) = g. G falls strictly from +∞ to 0, so every g > 0
/// has exactly one z (negative when g > G(0) ≈ 0.3989). Returns +∞ for g ≤ 0, NaN for NaN.
///
/// Newton's method from a start left of the root (G is convex and decreasing, so the
/// iterates rise monotonically to it).
pub fn inverse_loss(g: f64) -> f64 {
    if g.is_nan() {
        return f64::NAN;
    }
    if g <= 0.0 {
        return f64::INFINITY;
    }
    let mut z = (-g).min(0.0);
    for _ in 0..100 {
        let slope = upper_tail(z); // −G'(z)
        if slope <= 0.0 {
            break;
        }
        let step = (loss(z) - g) / slope;
        z += step;
        if step.abs() <= 1e-12 * (1.0 + z.abs()) {
            break;
        }
    }
    z
}

/// Polynomial with coefficients from the highest power down, at `x`.
fn horner(coefficients: &[f64], x: f64) -> f64 {
    coefficients.iter().fold(0.0, |acc, c| acc * x + c)
}
