//! Deterministic demo mall: shops, a bilingual catalog, heterogeneous customers, and a
//! day-by-day simulation of orders, stock and shopper behaviour.
//!
//! The data carries the signal every analysis needs: weekly and yearly seasonality with
//! Korean peaks (Seollal and Chuseok gifting, 11.11, Black Friday, Christmas), growth,
//! promotions with price cuts and demand lifts, intermittent long-tail demand, stockouts
//! under a naive reorder policy, one-time buyers, loyal repeaters and churners,
//! complementary products bought together, browse → cart → checkout → purchase funnels
//! with drop-off, cancellations and returns.
//!
//! Same [`DemoConfig`] ⇒ same data, on every platform (see [`crate::rng`]).

mod catalog;

use crate::calendar::{event_on, RetailEvent};
use crate::rng::{cumulative, Rng};
use catalog::{Category, BRANDS, CATEGORIES, HOURS, REGIONS, STYLES, WEEKDAYS};
use chrono::{Datelike, NaiveDate};

pub use catalog::CATEGORIES as CATEGORY_TABLE;

/// Scale and seed of a demo data set.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub seed: u64,
    pub shops: u32,
    pub products: u32,
    pub customers: u32,
    pub days: u32,
    /// First simulated day (shop-local calendar date).
    pub start: NaiveDate,
    /// Browsing sessions that end without a purchase, per order.
    pub sessions_per_order: f64,
}

/// Upper bounds that keep one call within memory a backend can afford.
pub const MAX_SHOPS: u32 = 100;
pub const MAX_PRODUCTS: u32 = 1_000_000;
pub const MAX_CUSTOMERS: u32 = 20_000_000;
pub const MAX_DAYS: u32 = 3_660;

impl DemoConfig {
    /// Reads `{"seed", "shops", "products", "customers", "days", "start", "sessions_per_order"}`
    /// and validates it; errors name the knob and its value.
    pub fn from_json(v: &serde_json::Value) -> Result<Self, String> {
        let int = |name: &str, hi: u32| -> Result<u32, String> {
            match v.get(name).and_then(serde_json::Value::as_i64) {
                Some(x) if (1..=hi as i64).contains(&x) => Ok(x as u32),
                Some(x) => Err(format!("{name} = {x} is out of range: allowed 1 to {hi}")),
                None => Err(format!("{name} is missing or not an integer")),
            }
        };
        let start = v
            .get("start")
            .and_then(|s| s.as_str())
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                format!("start = {} is not a date (YYYY-MM-DD)", v.get("start").unwrap_or(&serde_json::Value::Null))
            })?;
        let cfg = DemoConfig {
            seed: v.get("seed").and_then(serde_json::Value::as_i64).ok_or("seed is missing or not an integer")? as u64,
            shops: int("shops", MAX_SHOPS)?,
            products: int("products", MAX_PRODUCTS)?,
            customers: int("customers", MAX_CUSTOMERS)?,
            days: int("days", MAX_DAYS)?,
            start,
            sessions_per_order: v
                .get("sessions_per_order")
                .and_then(serde_json::Value::as_f64)
                .ok_or("sessions_per_order is missing or not a number")?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every knob; the error names the argument, its value and the allowed range.
    pub fn validate(&self) -> Result<(), String> {
        let check = |name: &str, v: u32, lo: u32, hi: u32| {
            if v < lo || v > hi {
                Err(format!("{name} = {v} is out of range: allowed {lo} to {hi}"))
            } else {
                Ok(())
            }
        };
        check("shops", self.shops, 1, MAX_SHOPS)?;
        check("products", self.products, 1, MAX_PRODUCTS)?;
        check("customers", self.customers, 1, MAX_CUSTOMERS)?;
        check("days", self.days, 1, MAX_DAYS)?;
        if !(0.0..=50.0).contains(&self.sessions_per_order) || self.sessions_per_order.is_nan() {
            return Err(format!("sessions_per_order = {} is out of range: allowed 0 to 50", self.sessions_per_order));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shop {
    pub shop_no: i32,
    pub name: String,
    pub timezone: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub product_id: i64,
    pub product_no: i32,
    pub product_code: String,
    pub variant_code: String,
    pub name: String,
    pub category: &'static str,
    pub brand: &'static str,
    /// List price, KRW.
    pub price: i64,
    /// Unit cost, KRW.
    pub unit_cost: i64,
    pub lead_time_days: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub customer_id: i64,
    pub member_id: String,
    /// Unix seconds.
    pub signed_up_at: i64,
    pub region: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderLine {
    pub order_id: String,
    pub order_item_code: String,
    pub shop_no: i32,
    /// Unix seconds.
    pub ordered_at: i64,
    pub customer_id: Option<i64>,
    pub product_id: i64,
    pub quantity: i32,
    pub unit_price: i64,
    /// Total discount on the line, KRW.
    pub discount: i64,
    pub unit_cost: i64,
    pub status: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InventorySnapshot {
    pub day: NaiveDate,
    pub product_id: i64,
    pub on_hand: i32,
    pub on_order: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BehaviourEvent {
    pub session_id: i64,
    pub customer_id: Option<i64>,
    pub shop_no: i32,
    pub product_id: i64,
    pub event_type: &'static str,
    /// Unix seconds.
    pub occurred_at: i64,
}

/// What one simulated day produced.
#[derive(Debug, Default)]
pub struct DayOutput {
    pub day: u32,
    pub lines: Vec<OrderLine>,
    pub snapshots: Vec<InventorySnapshot>,
    pub events: Vec<BehaviourEvent>,
}

/// How a customer buys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    OneTime,
    Loyal,
    Regular,
    Churner,
}

/// A customer's buying pattern: kind, purchase rate per day, active from and until (window days).
type Activity = (Kind, f64, i64, i64);

struct ProductModel {
    category: usize,
    weight: f64,
    complement: usize,
    /// Promotions as (first day, last day, discount share), sorted.
    promos: Vec<(u32, u32, f64)>,
    /// Expected units per day, for the naive reorder policy.
    daily_units: f64,
    supplier_delay_risk: f64,
}

struct CustomerModel {
    shop: usize,
    favourite: usize,
}

/// Guest (non-member) orders use this marker instead of a customer index.
const GUEST: u32 = u32::MAX;
/// Seoul is UTC+9 all year (no daylight saving since 1988).
const KST_OFFSET_S: i64 = 9 * 3600;

/// The generated mall: reference data plus everything needed to simulate its days.
pub struct DemoMall {
    cfg: DemoConfig,
    pub shops: Vec<Shop>,
    pub products: Vec<Product>,
    pub customers: Vec<Customer>,
    product_models: Vec<ProductModel>,
    customer_models: Vec<CustomerModel>,
    /// Per simulated day, the customers (or [`GUEST`]) who place an order.
    intents: Vec<Vec<u32>>,
}

fn round_to(x: f64, unit: i64) -> i64 {
    ((x / unit as f64).round() as i64 * unit).max(unit)
}

fn day_start_epoch(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid");
    (date - epoch).num_days() * 86_400 - KST_OFFSET_S
}

/// Overall demand multiplier of a day (weekday × event × growth), before category mix.
fn day_intensity(date: NaiveDate, day_index: u32) -> f64 {
    let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    let event = match event_on(date) {
        Some(RetailEvent::HolidayGifting) => 1.35,
        Some(RetailEvent::LunarHoliday) => 0.6,
        Some(RetailEvent::MegaSale) => 2.2,
        Some(RetailEvent::Christmas) => 1.15,
        None => 1.0,
    };
    let growth = 1.0 + 0.18 * day_index as f64 / 365.0;
    weekday * event * growth
}

/// Multiplier of a category's share on a day (its month and its event sensitivity).
fn category_factor(cat: &Category, date: NaiveDate) -> f64 {
    let month = cat.months[date.month0() as usize];
    match event_on(date) {
        Some(RetailEvent::HolidayGifting) => month * cat.gifting,
        Some(RetailEvent::MegaSale) => month * cat.mega_sale,
        _ => month,
    }
}

impl DemoMall {
    /// Builds shops, catalog, customers and every customer's order days.
    pub fn new(cfg: DemoConfig) -> Result<Self, String> {
        cfg.validate()?;
        let shops = (1..=cfg.shops as i32)
            .map(|n| Shop {
                shop_no: n,
                name: match n {
                    1 => "Haneul Mall (KR)".to_string(),
                    2 => "Haneul Mall (EN)".to_string(),
                    _ => format!("Haneul Mall #{n}"),
                },
                timezone: "Asia/Seoul",
            })
            .collect();
        let (products, product_models) = Self::make_catalog(&cfg);
        let (customers, customer_models, kinds) = Self::make_customers(&cfg);
        let mut mall =
            DemoMall { cfg, shops, products, customers, product_models, customer_models, intents: Vec::new() };
        mall.intents = mall.make_intents(&kinds);
        mall.size_inventory();
        Ok(mall)
    }

    pub fn config(&self) -> &DemoConfig {
        &self.cfg
    }

    fn make_catalog(cfg: &DemoConfig) -> (Vec<Product>, Vec<ProductModel>) {
        // The catalog depends on (seed, products) only; promotions on the days too.
        let mut rng = Rng::derive(cfg.seed, 1);
        let mut promo_rng = Rng::derive(cfg.seed, 6);
        let n = cfg.products as usize;
        // Popularity ranks: a random permutation, Zipf weights, and a long tail of
        // slow movers whose daily demand is well below one unit (intermittent).
        let mut ranks: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.range(0, i as i64) as usize;
            ranks.swap(i, j);
        }
        let lead_times = [3, 5, 7, 10, 14, 21];
        let mut products = Vec::with_capacity(n);
        let mut models = Vec::with_capacity(n);
        for (i, rank) in ranks.iter().enumerate() {
            let category = rng.weighted(&[0.26, 0.17, 0.14, 0.1, 0.14, 0.09, 0.1]);
            let cat = &CATEGORIES[category];
            let (noun_ko, noun_en) = cat.nouns[rng.range(0, cat.nouns.len() as i64 - 1) as usize];
            let (style_ko, style_en) = STYLES[rng.range(0, STYLES.len() as i64 - 1) as usize];
            let brand = BRANDS[rng.range(0, BRANDS.len() as i64 - 1) as usize];
            let price = round_to(cat.median_price * (0.45 * rng.normal()).exp(), 100);
            let margin = (cat.margin * (0.2 * rng.normal()).exp()).clamp(0.03, 0.9);
            let unit_cost = round_to(price as f64 * (1.0 - margin), 10);
            let product_no = 1000 + i as i32;
            let code = format!("P{:07X}", 0xA000 + i);
            let mut weight = 1.0 / ((*rank as f64) + 1.0).powf(1.05);
            if *rank as f64 > n as f64 * 0.7 {
                weight *= 0.08;
            }
            products.push(Product {
                product_id: i as i64 + 1,
                product_no,
                variant_code: format!("{code}000A"),
                product_code: code,
                name: format!("[{brand}] {style_ko} {noun_ko} ({style_en} {noun_en})"),
                category: cat.name,
                brand,
                price,
                unit_cost,
                lead_time_days: lead_times[rng.weighted(&[2.0, 3.0, 3.0, 2.0, 1.5, 1.0])],
            });
            let mut promos = Vec::new();
            let mut block = 0u32;
            while block < cfg.days {
                if promo_rng.chance(0.08) {
                    let start = block + promo_rng.range(0, 20) as u32;
                    let len = promo_rng.range(3, 10) as u32;
                    let pct = [0.1, 0.15, 0.2, 0.3, 0.4][promo_rng.range(0, 4) as usize];
                    promos.push((start, start + len - 1, pct));
                }
                block += 28;
            }
            models.push(ProductModel {
                category,
                weight,
                complement: 0,
                promos,
                daily_units: 0.0,
                supplier_delay_risk: rng.f64() * 0.3,
            });
        }
        // Complements: each product has a partner in another category.
        if n > 1 {
            for i in 0..n {
                let mut j = rng.range(0, n as i64 - 1) as usize;
                for _ in 0..8 {
                    if j != i && models[j].category != models[i].category {
                        break;
                    }
                    j = rng.range(0, n as i64 - 1) as usize;
                }
                models[i].complement = if j == i { (i + 1) % n } else { j };
            }
        }
        (products, models)
    }

    fn make_customers(cfg: &DemoConfig) -> (Vec<Customer>, Vec<CustomerModel>, Vec<Activity>) {
        let mut rng = Rng::derive(cfg.seed, 2);
        let n = cfg.customers as usize;
        let region_w: Vec<f64> = REGIONS.iter().map(|r| r.1).collect();
        let start_epoch = day_start_epoch(cfg.start);
        let horizon = cfg.days as f64 + 365.0;
        let mut customers = Vec::with_capacity(n);
        let mut models = Vec::with_capacity(n);
        let mut kinds = Vec::with_capacity(n);
        for i in 0..n {
            // Sign-ups grow over time: from a year before the window to its end.
            let signup_day = (horizon * rng.f64().powf(0.8)) as i64 - 365;
            let signup_at = start_epoch + signup_day * 86_400 + rng.range(0, 86_399);
            let kind =
                [Kind::OneTime, Kind::Loyal, Kind::Regular, Kind::Churner][rng.weighted(&[0.5, 0.2, 0.18, 0.12])];
            // (purchase rate per day, active from, active until) in window days.
            let (rate, until) = match kind {
                Kind::OneTime => (1.0 / 20.0, i64::MAX),
                Kind::Loyal => (1.0 / rng.range(12, 35) as f64, i64::MAX),
                Kind::Regular => (1.0 / rng.range(45, 120) as f64, i64::MAX),
                Kind::Churner => (1.0 / rng.range(10, 25) as f64, signup_day + rng.range(45, 200)),
            };
            kinds.push((kind, rate, signup_day, until));
            let shop = if cfg.shops == 1 || rng.chance(0.75) { 0 } else { rng.range(1, cfg.shops as i64 - 1) as usize };
            models.push(CustomerModel { shop, favourite: rng.weighted(&[0.26, 0.17, 0.14, 0.1, 0.14, 0.09, 0.1]) });
            customers.push(Customer {
                customer_id: i as i64 + 1,
                member_id: format!("member{:07}", i + 1),
                signed_up_at: signup_at,
                region: REGIONS[rng.weighted(&region_w)].0,
            });
        }
        (customers, models, kinds)
    }

    fn date(&self, day: u32) -> NaiveDate {
        self.cfg.start + chrono::Duration::days(day as i64)
    }

    /// Order days per customer by thinning a Poisson process with the day intensity.
    fn make_intents(&self, kinds: &[Activity]) -> Vec<Vec<u32>> {
        let mut rng = Rng::derive(self.cfg.seed, 3);
        let days = self.cfg.days as i64;
        let intensity: Vec<f64> = (0..self.cfg.days).map(|d| day_intensity(self.date(d), d)).collect();
        let max_i = intensity.iter().cloned().fold(1.0, f64::max);
        let mut intents: Vec<Vec<u32>> = vec![Vec::new(); self.cfg.days as usize];
        for (c, (kind, rate, from, until)) in kinds.iter().enumerate() {
            let end = (*until).min(days);
            let mut t = *from as f64;
            loop {
                t += rng.exponential(rate * max_i);
                if t >= end as f64 {
                    break;
                }
                // Before the window the intensity is taken as 1 (history we do not emit).
                let here = if t < 0.0 { 1.0 } else { intensity[t as usize] };
                if !rng.chance(here / max_i) {
                    continue;
                }
                if t >= 0.0 {
                    intents[t as usize].push(c as u32);
                }
                if *kind == Kind::OneTime && !rng.chance(0.12) {
                    break;
                }
            }
        }
        for (d, list) in intents.iter_mut().enumerate() {
            let guests = rng.poisson(list.len() as f64 * 0.05 + 0.2 * intensity[d]);
            list.extend(std::iter::repeat_n(GUEST, guests as usize));
        }
        intents
    }

    /// Expected units per product per day, which the naive replenishment policy uses.
    fn size_inventory(&mut self) {
        let orders: usize = self.intents.iter().map(Vec::len).sum();
        let per_day = orders as f64 / self.cfg.days as f64;
        let total_w: f64 = self.product_models.iter().map(|p| p.weight).sum();
        for p in &mut self.product_models {
            p.daily_units = per_day * 1.5 * 1.3 * p.weight / total_w;
        }
    }

    /// The day-by-day simulation; `with_events` also produces behaviour events.
    pub fn simulate(self, with_events: bool) -> Simulation {
        let n = self.products.len();
        let mut rng = Rng::derive(self.cfg.seed, 4);
        let on_hand =
            self.product_models.iter().map(|p| (p.daily_units * 30.0).ceil() as i32 + rng.range(0, 5) as i32).collect();
        Simulation {
            rng,
            event_rng: Rng::derive(self.cfg.seed, 5),
            with_events,
            day: 0,
            on_hand,
            pipeline: vec![Vec::new(); n],
            next_session: 1,
            mall: self,
        }
    }
}

/// Iterator over simulated days; owns the mall so it can outlive the caller's frame.
pub struct Simulation {
    mall: DemoMall,
    rng: Rng,
    event_rng: Rng,
    with_events: bool,
    day: u32,
    on_hand: Vec<i32>,
    /// Per product: replenishment orders in flight as (arrival day, quantity).
    pipeline: Vec<Vec<(u32, i32)>>,
    next_session: i64,
}

impl Simulation {
    pub fn mall(&self) -> &DemoMall {
        &self.mall
    }

    fn promo_share(&self, p: usize, day: u32, mega: bool) -> f64 {
        let own = self.mall.product_models[p]
            .promos
            .iter()
            .filter(|(a, b, _)| *a <= day && day <= *b)
            .map(|x| x.2)
            .fold(0.0, f64::max);
        if mega {
            own.max(0.15)
        } else {
            own
        }
    }

    fn seconds_into_day(rng: &mut Rng, hours: &[f64]) -> i64 {
        let h = rng.pick_cumulative(hours) as i64;
        h * 3600 + rng.range(0, 3599)
    }

    fn simulate_day(&mut self) -> DayOutput {
        let d = self.day;
        let mall = &self.mall;
        let date = mall.date(d);
        let day_epoch = day_start_epoch(date);
        let mega = event_on(date) == Some(RetailEvent::MegaSale);
        let n = mall.products.len();
        let hours = cumulative(HOURS);
        let age = mall.cfg.days - 1 - d;

        // Arrivals of replenishment orders.
        for p in 0..n {
            let pipe = &mut self.pipeline[p];
            if pipe.is_empty() {
                continue;
            }
            let arrived: i32 = pipe.iter().filter(|(a, _)| *a <= d).map(|x| x.1).sum();
            pipe.retain(|(a, _)| *a > d);
            self.on_hand[p] += arrived;
        }

        // Today's product weights: popularity × category season × promotion lift.
        let cat_factor: Vec<f64> = CATEGORIES.iter().map(|c| category_factor(c, date)).collect();
        let promo: Vec<f64> = (0..n).map(|p| self.promo_share(p, d, mega)).collect();
        let weights: Vec<f64> = mall
            .product_models
            .iter()
            .enumerate()
            .map(|(p, m)| m.weight * cat_factor[m.category] * (1.0 + 4.0 * promo[p]))
            .collect();
        let all = cumulative(weights.iter().copied());
        let by_cat: Vec<(Vec<usize>, Vec<f64>)> = (0..CATEGORIES.len())
            .map(|c| {
                let idx: Vec<usize> = (0..n).filter(|p| mall.product_models[*p].category == c).collect();
                let cum = cumulative(idx.iter().map(|p| weights[*p]));
                (idx, cum)
            })
            .collect();

        let mut out = DayOutput { day: d, ..Default::default() };
        let rng = &mut self.rng;
        let mut orders: Vec<(i64, u32)> =
            mall.intents[d as usize].iter().map(|c| (Self::seconds_into_day(rng, &hours), *c)).collect();
        orders.sort_unstable();
        let mut sold_orders: Vec<(i64, u32, i32, Vec<usize>)> = Vec::new();
        for (seq, (secs, c)) in orders.iter().enumerate() {
            let order_id = format!("{}-{:07}", date.format("%Y%m%d"), seq + 1);
            let (shop_idx, favourite) = if *c == GUEST {
                (rng.range(0, mall.shops.len() as i64 - 1) as usize, None)
            } else {
                let m = &mall.customer_models[*c as usize];
                (m.shop, Some(m.favourite))
            };
            let mut n_lines = 1;
            while n_lines < 5 && rng.chance(0.32) {
                n_lines += 1;
            }
            let mut picked: Vec<usize> = Vec::with_capacity(n_lines);
            for l in 0..n_lines {
                let p = if l > 0 && rng.chance(0.35) {
                    mall.product_models[*picked.last().expect("first line picked")].complement
                } else {
                    match favourite {
                        Some(f) if rng.chance(0.3) && !by_cat[f].0.is_empty() => {
                            by_cat[f].0[rng.pick_cumulative(&by_cat[f].1)]
                        }
                        _ => rng.pick_cumulative(&all),
                    }
                };
                if !picked.contains(&p) {
                    picked.push(p);
                }
            }
            let mut sold = Vec::with_capacity(picked.len());
            let mut line_no = 0;
            for p in picked {
                let cat = &CATEGORIES[mall.product_models[p].category];
                let qty = if cat.name == "food" {
                    rng.range(1, 3) as i32
                } else {
                    [1, 1, 1, 1, 1, 1, 2, 2, 1, 3][rng.range(0, 9) as usize]
                };
                if self.on_hand[p] < qty {
                    continue; // stockout: the sale is lost
                }
                let product = &mall.products[p];
                let status = if rng.chance(0.03) {
                    "cancelled"
                } else if age >= 7 && rng.chance(cat.return_rate) {
                    "returned"
                } else if age < 2 {
                    "paid"
                } else if age < 5 {
                    "shipped"
                } else {
                    "delivered"
                };
                if status != "cancelled" {
                    self.on_hand[p] -= qty;
                }
                line_no += 1;
                let gross = product.price * qty as i64;
                let discount = (gross as f64 * promo[p] / 10.0).round() as i64 * 10;
                out.lines.push(OrderLine {
                    order_item_code: format!("{order_id}-{line_no:02}"),
                    order_id: order_id.clone(),
                    shop_no: mall.shops[shop_idx].shop_no,
                    ordered_at: day_epoch + secs,
                    customer_id: (*c != GUEST).then(|| *c as i64 + 1),
                    product_id: product.product_id,
                    quantity: qty,
                    unit_price: product.price,
                    discount,
                    unit_cost: product.unit_cost,
                    status,
                });
                sold.push(p);
            }
            if !sold.is_empty() {
                sold_orders.push((day_epoch + secs, *c, mall.shops[shop_idx].shop_no, sold));
            }
        }

        // Naive replenishment at the end of the day: reorder 30 days of average demand
        // when the position falls below lead-time-plus-a-week of average demand.
        for p in 0..n {
            let m = &mall.product_models[p];
            let lead = mall.products[p].lead_time_days as u32;
            let on_order: i32 = self.pipeline[p].iter().map(|x| x.1).sum();
            let rop = (m.daily_units * (lead as f64 + 7.0)).ceil() as i32;
            if self.on_hand[p] + on_order <= rop {
                let qty = ((m.daily_units * 30.0).ceil() as i32).max(5);
                let delay = if rng.chance(m.supplier_delay_risk) {
                    rng.range(lead as i64 / 2 + 1, lead as i64 + 3) as u32
                } else {
                    0
                };
                self.pipeline[p].push((d + lead + delay, qty));
            }
            out.snapshots.push(InventorySnapshot {
                day: date,
                product_id: mall.products[p].product_id,
                on_hand: self.on_hand[p],
                on_order: self.pipeline[p].iter().map(|x| x.1).sum(),
            });
        }

        if self.with_events {
            self.make_events(&mut out, &sold_orders, &all, day_epoch, &hours);
        }
        self.day += 1;
        out
    }

    fn make_events(
        &mut self,
        out: &mut DayOutput,
        sold_orders: &[(i64, u32, i32, Vec<usize>)],
        all: &[f64],
        day_epoch: i64,
        hours: &[f64],
    ) {
        let mall = &self.mall;
        let rng = &mut self.event_rng;
        let customer_id = |c: u32| (c != GUEST).then(|| c as i64 + 1);
        for (at, c, shop_no, products) in sold_orders {
            let session_id = self.next_session;
            self.next_session += 1;
            for p in products {
                let product_id = mall.products[*p].product_id;
                let view = at - rng.range(120, 1800);
                let cart = view + rng.range(30, at - view - 60);
                let checkout = at - rng.range(10, 59);
                for (event_type, occurred_at) in
                    [("view", view), ("cart", cart), ("checkout", checkout), ("purchase", *at)]
                {
                    out.events.push(BehaviourEvent {
                        session_id,
                        customer_id: customer_id(*c),
                        shop_no: *shop_no,
                        product_id,
                        event_type,
                        occurred_at,
                    });
                }
            }
        }
        let browsing = rng.poisson(sold_orders.len() as f64 * mall.cfg.sessions_per_order);
        let today = mall.date(self.day);
        for _ in 0..browsing {
            let session_id = self.next_session;
            self.next_session += 1;
            let c = rng.range(0, mall.customers.len() as i64 - 1) as usize;
            let signed_up = mall.customers[c].signed_up_at <= day_start_epoch(today) + 86_399;
            let (customer, shop_no) = if signed_up && rng.chance(0.6) {
                (Some(c as i64 + 1), mall.shops[mall.customer_models[c].shop].shop_no)
            } else {
                (None, mall.shops[rng.range(0, mall.shops.len() as i64 - 1) as usize].shop_no)
            };
            let product_id = mall.products[rng.pick_cumulative(all)].product_id;
            let mut t = day_epoch + Self::seconds_into_day(rng, hours);
            let mut push = |event_type, t| {
                out.events.push(BehaviourEvent {
                    session_id,
                    customer_id: customer,
                    shop_no,
                    product_id,
                    event_type,
                    occurred_at: t,
                })
            };
            push("view", t);
            if rng.chance(0.3) {
                t += rng.range(20, 900);
                push("cart", t);
                if rng.chance(0.35) {
                    t += rng.range(20, 600);
                    push("checkout", t);
                }
            }
        }
        out.events.sort_by_key(|e| (e.occurred_at, e.session_id));
    }
}

impl Iterator for Simulation {
    type Item = DayOutput;

    fn next(&mut self) -> Option<DayOutput> {
        (self.day < self.mall.cfg.days).then(|| self.simulate_day())
    }
}

#[cfg(test)]
mod tests;
