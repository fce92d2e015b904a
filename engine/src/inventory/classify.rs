//! ABC classes by revenue share and XYZ classes by demand variability.

use super::{check, demand_value, InventoryError};

/// Revenue class: A items bring the first `a_share` of revenue, B the next part up to
/// `b_share`, C the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbcClass {
    A,
    B,
    C,
}

/// Variability class: X steady (CV below `x_cv`), Y variable (below `y_cv`), Z erratic or
/// without demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XyzClass {
    X,
    Y,
    Z,
}

impl AbcClass {
    /// "A", "B" or "C".
    pub fn as_str(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

impl XyzClass {
    /// "X", "Y" or "Z".
    pub fn as_str(self) -> &'static str {
        match self {
            XyzClass::X => "X",
            XyzClass::Y => "Y",
            XyzClass::Z => "Z",
        }
    }
}

/// Cumulative revenue shares that end classes A and B.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcThresholds {
    pub a_share: f64,
    pub b_share: f64,
}

impl Default for AbcThresholds {
    /// A up to 80% of revenue, B up to 95%.
    fn default() -> Self {
        AbcThresholds { a_share: 0.8, b_share: 0.95 }
    }
}

/// Coefficients of variation that end classes X and Y.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct XyzThresholds {
    pub x_cv: f64,
    pub y_cv: f64,
}

impl Default for XyzThresholds {
    /// X below CV 0.5, Y below 1.0.
    fn default() -> Self {
        XyzThresholds { x_cv: 0.5, y_cv: 1.0 }
    }
}

/// ABC class of each product, in input order. Products are ranked by revenue (ties keep
/// input order); a product is A when the revenue share of the products ranked above it is
/// below `a_share`, B when below `b_share`, else C. So the top product is always A (if any
/// revenue exists), the product that crosses a threshold belongs to the class it
/// completes, and products without revenue are C. Negative revenue (net returns) counts as
/// 0; NaN is an error naming `revenue[i]`. Thresholds need 0 < a_share ≤ b_share ≤ 1.
pub fn abc_classes(revenue: &[f64], thresholds: AbcThresholds) -> Result<Vec<AbcClass>, InventoryError> {
    let a = check(
        "a_share",
        thresholds.a_share,
        thresholds.a_share > 0.0 && thresholds.a_share <= 1.0,
        "allowed above 0 up to 1",
    )?;
    let b = check(
        "b_share",
        thresholds.b_share,
        thresholds.b_share >= a && thresholds.b_share <= 1.0,
        "allowed from a_share up to 1",
    )?;
    let revenue =
        revenue.iter().enumerate().map(|(i, v)| demand_value("revenue", i, *v)).collect::<Result<Vec<f64>, _>>()?;
    let total: f64 = revenue.iter().sum();
    let mut order: Vec<usize> = (0..revenue.len()).collect();
    order.sort_by(|&i, &j| revenue[j].total_cmp(&revenue[i]));
    let mut classes = vec![AbcClass::C; revenue.len()];
    let mut before = 0.0;
    for i in order {
        if revenue[i] > 0.0 {
            let share = before / total;
            classes[i] = if share < a {
                AbcClass::A
            } else if share < b {
                AbcClass::B
            } else {
                AbcClass::C
            };
        }
        before += revenue[i];
    }
    Ok(classes)
}

/// XYZ class of each product from its demand coefficient of variation (as
/// [`super::demand::DemandStats::cv`] gives it; `None`, no demand, is Z). Thresholds need
/// 0 < x_cv ≤ y_cv; a NaN or negative CV is an error naming `cv[i]`.
pub fn xyz_classes(cvs: &[Option<f64>], thresholds: XyzThresholds) -> Result<Vec<XyzClass>, InventoryError> {
    let x = check("x_cv", thresholds.x_cv, thresholds.x_cv > 0.0, "allowed above 0")?;
    let y = check("y_cv", thresholds.y_cv, thresholds.y_cv >= x, "allowed from x_cv up")?;
    cvs.iter()
        .enumerate()
        .map(|(i, cv)| match cv {
            None => Ok(XyzClass::Z),
            Some(v) => {
                let v = check(&format!("cv[{i}]"), *v, *v >= 0.0, "allowed 0 or more")?;
                Ok(if v < x {
                    XyzClass::X
                } else if v < y {
                    XyzClass::Y
                } else {
                    XyzClass::Z
                })
            }
        })
        .collect()
}
