//! Cafe24 Admin API order payloads: validation and normalisation into order lines.
//!
//! Input is the body of `GET /api/v2/admin/orders?embed=items`:
//! `{"orders": [{"shop_no", "order_id", "member_id", "order_date", "items": [...]}, ...]}`.
//! Dates are ISO-8601 with a UTC offset, money comes as decimal strings. Unknown fields
//! are ignored; the first missing or malformed field stops the whole payload with an
//! error that names the order, the item and the field.

use chrono::DateTime;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;

/// One order line, normalised for insertion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngestLine {
    pub order_id: String,
    pub order_item_code: String,
    pub shop_no: i32,
    /// RFC 3339 with offset, as PostgreSQL's `timestamptz` input accepts it.
    pub ordered_at: String,
    /// `None` for guest orders.
    pub member_id: Option<String>,
    pub product_no: Option<i32>,
    pub product_code: String,
    pub variant_code: String,
    pub product_name: String,
    pub quantity: i32,
    /// `product_price + option_price`, decimal text.
    pub unit_price: String,
    /// `additional_discount_price` for the whole line, decimal text.
    pub discount: String,
    /// One of [`STATUSES`].
    pub status: &'static str,
}

/// Order line statuses of the star schema.
pub const STATUSES: [&str; 7] = ["placed", "paid", "shipped", "delivered", "exchanged", "cancelled", "returned"];

/// Maps a Cafe24 order status code (`N00`..`N50`, `C..`, `R..`, `E..`) or one of our own
/// status names to a star-schema status.
pub fn map_status(code: &str) -> Option<&'static str> {
    if let Some(s) = STATUSES.iter().find(|s| **s == code) {
        return Some(s);
    }
    let bytes = code.as_bytes();
    if bytes.len() != 3 || !bytes[1].is_ascii_digit() || !bytes[2].is_ascii_digit() {
        return None;
    }
    match (bytes[0], &code[1..]) {
        (b'N', "00") => Some("placed"),
        (b'N', "10" | "20" | "21" | "22") => Some("paid"),
        (b'N', "30") => Some("shipped"),
        (b'N', "40" | "50") => Some("delivered"),
        (b'C', _) => Some("cancelled"),
        (b'R', _) => Some("returned"),
        (b'E', _) => Some("exchanged"),
        _ => None,
    }
}

/// What was wrong, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestError {
    /// Zero-based position of the order in `orders`; `None` for the payload itself.
    pub order_index: Option<usize>,
    pub order_id: Option<String>,
    pub order_item_code: Option<String>,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.order_id, self.order_index) {
            (Some(id), _) => write!(f, "order {id}")?,
            (None, Some(i)) => write!(f, "orders[{i}]")?,
            (None, None) => write!(f, "payload")?,
        }
        if let Some(item) = &self.order_item_code {
            write!(f, ", item {item}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.problem)
        } else {
            write!(f, ": field \"{}\" {}", self.field, self.problem)
        }
    }
}

struct Ctx<'a> {
    order_index: Option<usize>,
    order_id: Option<&'a str>,
    item: Option<&'a str>,
}

impl Ctx<'_> {
    fn err(&self, field: &str, problem: impl Into<String>) -> IngestError {
        IngestError {
            order_index: self.order_index,
            order_id: self.order_id.map(str::to_string),
            order_item_code: self.item.map(str::to_string),
            field: field.to_string(),
            problem: problem.into(),
        }
    }

    fn required<'v>(&self, obj: &'v Map<String, Value>, field: &str) -> Result<&'v Value, IngestError> {
        match obj.get(field) {
            None | Some(Value::Null) => Err(self.err(field, "is missing")),
            Some(v) => Ok(v),
        }
    }

    fn text(&self, obj: &Map<String, Value>, field: &str) -> Result<String, IngestError> {
        match self.required(obj, field)? {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(self.err(field, format!("must be a non-empty string, got {other}"))),
        }
    }

    fn optional_text(&self, obj: &Map<String, Value>, field: &str) -> Result<Option<String>, IngestError> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(_) => self.text(obj, field).map(Some),
        }
    }

    /// An integer given as a JSON number or a string of digits, within [lo, hi].
    fn int(&self, v: &Value, field: &str, lo: i64, hi: i64) -> Result<i64, IngestError> {
        let parsed = match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(x) if (lo..=hi).contains(&x) => Ok(x),
            Some(x) => Err(self.err(field, format!("must be between {lo} and {hi}, got {x}"))),
            None => Err(self.err(field, format!("must be an integer, got {v}"))),
        }
    }

    /// A non-negative amount with at most two decimals, as text for `numeric`.
    fn money(&self, obj: &Map<String, Value>, field: &str, required: bool) -> Result<String, IngestError> {
        let v = match obj.get(field) {
            None | Some(Value::Null) if !required => return Ok("0".to_string()),
            _ => self.required(obj, field)?,
        };
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            other => return Err(self.err(field, format!("must be a decimal string such as \"12000.00\", got {other}"))),
        };
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let ok = !int.is_empty()
            && int.len() <= 12
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.len() <= 2
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(s.contains('.') && frac.is_empty());
        if ok {
            Ok(s)
        } else {
            Err(self.err(field, format!("must be a non-negative amount with at most 2 decimals, got \"{s}\"")))
        }
    }
}

/// Validates a whole payload; either every line or the first error.
pub fn parse_orders(payload: &Value) -> Result<Vec<IngestLine>, IngestError> {
    let top = Ctx { order_index: None, order_id: None, item: None };
    let orders = match payload {
        Value::Object(o) => match o.get("orders") {
            Some(Value::Array(a)) => a,
            Some(other) => return Err(top.err("orders", format!("must be an array, got {}", kind(other)))),
            None => return Err(top.err("orders", "is missing (expected {\"orders\": [...]})")),
        },
        other => return Err(top.err("", format!("must be a JSON object, got {}", kind(other)))),
    };
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for (order_index, order) in orders.iter().enumerate() {
        let ctx = Ctx { order_index: Some(order_index), order_id: None, item: None };
        let Value::Object(o) = order else {
            return Err(ctx.err("orders", format!("element must be an object, got {}", kind(order))));
        };
        let order_id = ctx.text(o, "order_id")?;
        let ctx = Ctx { order_index: Some(order_index), order_id: Some(&order_id), item: None };
        let shop_no = ctx.int(ctx.required(o, "shop_no")?, "shop_no", 1, i32::MAX as i64)? as i32;
        let date_text = ctx.text(o, "order_date")?;
        let ordered_at = DateTime::parse_from_rfc3339(&date_text)
            .map_err(|e| ctx.err("order_date", format!("must be ISO-8601 with a UTC offset such as \"2026-11-24T10:15:00+09:00\", got \"{date_text}\" ({e})")))?
            .to_rfc3339();
        let member_id = ctx.optional_text(o, "member_id")?;
        let items = match ctx.required(o, "items")? {
            Value::Array(a) if !a.is_empty() => a,
            Value::Array(_) => return Err(ctx.err("items", "is empty: an order needs at least one item")),
            other => return Err(ctx.err("items", format!("must be an array, got {}", kind(other)))),
        };
        for item in items {
            let Value::Object(i) = item else {
                return Err(ctx.err("items", format!("element must be an object, got {}", kind(item))));
            };
            let code = ctx.text(i, "order_item_code")?;
            let ctx = Ctx { order_index: Some(order_index), order_id: Some(&order_id), item: Some(&code) };
            if !seen.insert(code.clone()) {
                return Err(ctx.err("order_item_code", "appears more than once in the payload"));
            }
            let variant_code = ctx.text(i, "variant_code")?;
            let product_no = match i.get("product_no") {
                None | Some(Value::Null) => None,
                Some(v) => Some(ctx.int(v, "product_no", 1, i32::MAX as i64)? as i32),
            };
            let status_code = ctx.text(i, "order_status")?;
            let status = map_status(&status_code).ok_or_else(|| {
                ctx.err("order_status", format!("has unknown code \"{status_code}\": expected a Cafe24 code (N00-N50, Cxx, Rxx, Exx) or one of {}", STATUSES.join(", ")))
            })?;
            let price = ctx.money(i, "product_price", true)?;
            let option = ctx.money(i, "option_price", false)?;
            lines.push(IngestLine {
                order_id: order_id.clone(),
                shop_no,
                ordered_at: ordered_at.clone(),
                member_id: member_id.clone(),
                product_no,
                product_code: ctx.optional_text(i, "product_code")?.unwrap_or_else(|| variant_code.clone()),
                product_name: ctx.optional_text(i, "product_name")?.unwrap_or_else(|| variant_code.clone()),
                variant_code,
                quantity: ctx.int(ctx.required(i, "quantity")?, "quantity", 1, 1_000_000)? as i32,
                unit_price: add_decimal(&price, &option),
                discount: ctx.money(i, "additional_discount_price", false)?,
                status,
                order_item_code: code.clone(),
            });
        }
    }
    Ok(lines)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Exact sum of two validated decimal strings (at most 2 decimals each).
fn add_decimal(a: &str, b: &str) -> String {
    let cents = |s: &str| -> i128 {
        let (i, f) = s.split_once('.').unwrap_or((s, ""));
        let f = format!("{f:0<2}");
        i.parse::<i128>().unwrap_or(0) * 100 + f.parse::<i128>().unwrap_or(0)
    };
    let c = cents(a) + cents(b);
    format!("{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests;
