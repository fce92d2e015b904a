//! `#[pg_test]`s of the star schema, aggregates, demo data, ingest and settings.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn demo_data_loads_and_aggregates_match_recomputation() {
        Spi::run("SELECT * FROM cafe24.generate_demo_data(seed => 1, customers => 300, products => 40, days => 60, start_date => '2025-01-01')").unwrap();
        let lines = Spi::get_one::<i64>("SELECT count(*) FROM cafe24.order_line").unwrap().unwrap();
        assert!(lines > 300, "{lines} lines");
        let bad = Spi::get_one::<i64>("SELECT sum(missing_or_different + unexpected) FROM cafe24.check_aggregates()").unwrap().unwrap();
        assert_eq!(bad, 0);
    }
}
