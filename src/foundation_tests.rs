//! `#[pg_test]`s of the star schema, aggregates, demo data, ingest and settings.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    fn count(sql: &str) -> i64 {
        Spi::get_one::<i64>(sql).unwrap().unwrap()
    }

    #[pg_test]
    fn demo_data_loads_and_aggregates_match_recomputation() {
        Spi::run("SELECT * FROM cafe24.generate_demo_data(seed => 1, customers => 300, products => 40, days => 60, start_date => '2025-01-01')").unwrap();
        assert!(count("SELECT count(*) FROM cafe24.order_line") > 300);
        assert_eq!(count("SELECT sum(missing_or_different + unexpected)::bigint FROM cafe24.check_aggregates()"), 0);
        // The identity sequences continue after the explicit demo keys.
        Spi::run("INSERT INTO cafe24.product (product_code, variant_code, name, price) VALUES ('N', 'N-1', 'new', 1)")
            .unwrap();
        assert_eq!(count("SELECT max(product_id) FROM cafe24.product"), 41);
    }

    #[pg_test]
    fn same_seed_same_order_lines() {
        let digest = || {
            Spi::run("SELECT * FROM cafe24.generate_demo_data(seed => 5, customers => 100, products => 20, days => 30, start_date => '2025-03-01', replace => true)").unwrap();
            Spi::get_one::<String>("SELECT md5(string_agg(order_item_code || quantity || unit_price || status || ordered_at, ',' ORDER BY order_item_code)) FROM cafe24.order_line").unwrap().unwrap()
        };
        assert_eq!(digest(), digest());
    }

    #[pg_test(
        error = "ingest_orders: order A-2, item A-2-01: field \"quantity\" must be between 1 and 1000000, got -1"
    )]
    fn ingest_error_names_order_item_and_field() {
        Spi::run(r#"SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "A-2", "order_date": "2026-11-25T09:00:00+09:00",
            "items": [{"order_item_code": "A-2-01", "variant_code": "V", "quantity": -1, "product_price": "100", "order_status": "N10"}]}]}')"#).unwrap();
    }

    #[pg_test]
    fn ingest_error_has_sqlstate_22023_and_applies_nothing() {
        let caught = Spi::get_one::<String>(r#"
            DO $$ BEGIN
              PERFORM cafe24.ingest_orders('{"orders": [
                {"shop_no": 1, "order_id": "ok", "order_date": "2026-11-25T09:00:00+09:00",
                 "items": [{"order_item_code": "ok-1", "variant_code": "V", "quantity": 1, "product_price": "1", "order_status": "N10"}]},
                {"shop_no": 1, "order_id": "bad", "order_date": "2026-11-25T09:00:00+09:00",
                 "items": [{"order_item_code": "bad-1", "variant_code": "V", "quantity": 1, "product_price": "x", "order_status": "N10"}]}]}');
            EXCEPTION WHEN invalid_parameter_value THEN
              CREATE TEMP TABLE caught AS SELECT 'caught'::text AS s;
            END $$;
            SELECT s FROM caught"#).unwrap();
        assert_eq!(caught.as_deref(), Some("caught"));
        assert_eq!(count("SELECT count(*) FROM cafe24.order_line WHERE order_id = 'ok'"), 0);
    }

    #[pg_test]
    fn feature_switches_are_superuser_settings() {
        let n = count("SELECT count(*) FROM pg_settings WHERE name LIKE 'cafe24_analytics.enable_%' AND context = 'superuser' AND setting = 'on'");
        assert_eq!(n, 4);
        assert_eq!(
            Spi::get_one::<String>(
                "SELECT context FROM pg_settings WHERE name = 'cafe24_analytics.scheduler_database'"
            )
            .unwrap()
            .as_deref(),
            Some("postmaster")
        );
    }
}
