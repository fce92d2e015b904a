//! Settings under `cafe24_analytics.*`, the in-database form of the original service's
//! environment variables (see the table in README.md).

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};
use std::ffi::CString;

pub static ENABLE_FORECASTING: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_CUSTOMER_SEGMENTATION: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_INVENTORY_OPTIMIZATION: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_CUSTOM_DASHBOARDS: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static REPORT_STORAGE_PATH: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);
pub static SCHEDULER_DATABASE: GucSetting<Option<CString>> =
    GucSetting::<Option<CString>>::new(Some(c"postgres"));
pub static TIMEZONE: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"GMT"));

pub fn init() {
    let flags = GucFlags::default();
    for (name, short, setting) in [
        (c"cafe24_analytics.enable_forecasting", c"Allows the forecasting functions (forecast, forecast_sales, seasonal_trends, ...).", &ENABLE_FORECASTING),
        (c"cafe24_analytics.enable_customer_segmentation", c"Allows the customer analytics functions (segment_customers, customer_lifetime_value, ...).", &ENABLE_CUSTOMER_SEGMENTATION),
        (c"cafe24_analytics.enable_inventory_optimization", c"Allows the inventory functions (optimize_inventory, simulate_inventory_policy).", &ENABLE_INVENTORY_OPTIMIZATION),
        (c"cafe24_analytics.enable_custom_dashboards", c"Allows dashboards and KPI widgets.", &ENABLE_CUSTOM_DASHBOARDS),
    ] {
        GucRegistry::define_bool_guc(name, short, c"Superusers can turn a feature off for a server, database or role.", setting, GucContext::Suset, flags);
    }
    GucRegistry::define_string_guc(
        c"cafe24_analytics.report_storage_path",
        c"Directory under which export_report writes report files.",
        c"Files are written only below this directory; unset means exports must keep bytes in cafe24.report_output.",
        &REPORT_STORAGE_PATH,
        GucContext::Suset,
        flags,
    );
    GucRegistry::define_string_guc(
        c"cafe24_analytics.scheduler_database",
        c"Database the scheduler's launcher connects to (like pg_cron's cron.database_name).",
        c"",
        &SCHEDULER_DATABASE,
        GucContext::Postmaster,
        flags,
    );
    GucRegistry::define_string_guc(
        c"cafe24_analytics.timezone",
        c"Time zone in which cron schedules are read (like pg_cron's cron.timezone; default GMT).",
        c"Shop-local days of the sales aggregates use cafe24.shop.timezone instead.",
        &TIMEZONE,
        GucContext::Sighup,
        flags,
    );
}
