use super::*;
use serde_json::json;

fn payload() -> Value {
    json!({"orders": [
        {"shop_no": 1, "order_id": "20261124-0000001", "member_id": "kim01",
         "order_date": "2026-11-24T10:15:00+09:00", "payment_method": ["card"],
         "items": [
            {"order_item_code": "20261124-0000001-01", "product_no": 12, "product_code": "P000000M",
             "variant_code": "P000000M000A", "product_name": "린넨 셔츠", "quantity": 2,
             "product_price": "39000.00", "option_price": "1000.50", "additional_discount_price": "4000.00",
             "order_status": "N40", "unknown_field": {"x": 1}},
            {"order_item_code": "20261124-0000001-02", "variant_code": "P000000N000A",
             "quantity": "1", "product_price": "12000", "order_status": "C40"}
         ]},
        {"shop_no": "2", "order_id": "20261124-0000002", "member_id": "",
         "order_date": "2026-11-24T01:00:00Z",
         "items": [{"order_item_code": "20261124-0000002-01", "variant_code": "V1", "quantity": 1,
                    "product_price": "5000.00", "order_status": "R30"}]}
    ]})
}

#[test]
fn parses_and_normalises_a_cafe24_payload() {
    let lines = parse_orders(&payload()).unwrap();
    assert_eq!(lines.len(), 3);
    let first = &lines[0];
    assert_eq!(first.unit_price, "40000.50");
    assert_eq!(first.discount, "4000.00");
    assert_eq!(first.quantity, 2);
    assert_eq!(first.status, "delivered");
    assert_eq!(first.ordered_at, "2026-11-24T10:15:00+09:00");
    assert_eq!(first.member_id.as_deref(), Some("kim01"));
    assert_eq!(first.product_no, Some(12));
    let second = &lines[1];
    assert_eq!((second.unit_price.as_str(), second.discount.as_str()), ("12000.00", "0"));
    assert_eq!(second.status, "cancelled");
    assert_eq!(second.product_code, "P000000N000A"); // defaults to the variant code
    assert_eq!(second.product_name, "P000000N000A");
    let third = &lines[2];
    assert_eq!(third.shop_no, 2);
    assert_eq!(third.member_id, None); // guest
    assert_eq!(third.status, "returned");
    assert_eq!(third.ordered_at, "2026-11-24T01:00:00+00:00");
}

fn error_of(mutate: impl FnOnce(&mut Value)) -> String {
    let mut p = payload();
    mutate(&mut p);
    parse_orders(&p).unwrap_err().to_string()
}

#[test]
fn errors_name_order_item_and_field() {
    assert_eq!(
        error_of(|p| p["orders"][0]["items"][1]["quantity"] = json!(0)),
        "order 20261124-0000001, item 20261124-0000001-02: field \"quantity\" must be between 1 and 1000000, got 0"
    );
    assert_eq!(
        error_of(|p| {
            p["orders"][1]["items"][0].as_object_mut().unwrap().remove("product_price");
        }),
        "order 20261124-0000002, item 20261124-0000002-01: field \"product_price\" is missing"
    );
    assert_eq!(
        error_of(|p| p["orders"][0]["items"][0]["product_price"] = json!("12,000")),
        "order 20261124-0000001, item 20261124-0000001-01: field \"product_price\" must be a non-negative amount with at most 2 decimals, got \"12,000\""
    );
    assert!(error_of(|p| p["orders"][0]["order_date"] = json!("2026-11-24 10:15"))
        .starts_with("order 20261124-0000001: field \"order_date\" must be ISO-8601 with a UTC offset"));
    assert_eq!(
        error_of(|p| {
            p["orders"][1].as_object_mut().unwrap().remove("order_id");
        }),
        "orders[1]: field \"order_id\" is missing"
    );
    assert!(error_of(|p| p["orders"][0]["items"][0]["order_status"] = json!("X99")).contains("unknown code \"X99\""));
    assert!(error_of(|p| p["orders"][0]["items"][0]["product_price"] = json!("-1.00")).contains("non-negative"));
    assert!(error_of(|p| p["orders"][0]["items"][0]["product_price"] = json!("1.005")).contains("at most 2 decimals"));
    assert!(error_of(|p| p["orders"][0]["items"] = json!([])).contains("is empty"));
    assert!(error_of(|p| p["orders"][0]["shop_no"] = json!(0)).contains("\"shop_no\" must be between 1"));
    assert_eq!(
        error_of(|p| p["orders"][1]["items"][0]["order_item_code"] = json!("20261124-0000001-01")),
        "order 20261124-0000002, item 20261124-0000001-01: field \"order_item_code\" appears more than once in the payload"
    );
    assert_eq!(parse_orders(&json!([1])).unwrap_err().to_string(), "payload: must be a JSON object, got an array");
    assert_eq!(
        parse_orders(&json!({})).unwrap_err().to_string(),
        "payload: field \"orders\" is missing (expected {\"orders\": [...]})"
    );
    assert_eq!(
        parse_orders(&json!({"orders": {}})).unwrap_err().to_string(),
        "payload: field \"orders\" must be an array, got an object"
    );
    assert_eq!(
        parse_orders(&json!({"orders": [3]})).unwrap_err().to_string(),
        "orders[0]: field \"orders\" element must be an object, got a number"
    );
}

#[test]
fn empty_order_list_is_fine() {
    assert_eq!(parse_orders(&json!({"orders": []})).unwrap(), vec![]);
}

#[test]
fn status_codes_map() {
    assert_eq!(map_status("N00"), Some("placed"));
    assert_eq!(map_status("N22"), Some("paid"));
    assert_eq!(map_status("N30"), Some("shipped"));
    assert_eq!(map_status("N50"), Some("delivered"));
    assert_eq!(map_status("C00"), Some("cancelled"));
    assert_eq!(map_status("R40"), Some("returned"));
    assert_eq!(map_status("E12"), Some("exchanged"));
    assert_eq!(map_status("delivered"), Some("delivered"));
    assert_eq!(map_status("N99"), None);
    assert_eq!(map_status("Nx0"), None);
    assert_eq!(map_status(""), None);
}

#[test]
fn decimal_addition_is_exact() {
    assert_eq!(add_decimal("0.1", "0.2"), "0.30");
    assert_eq!(add_decimal("999999999999.99", "0.01"), "1000000000000.00");
    assert_eq!(add_decimal("5", "0"), "5.00");
}
