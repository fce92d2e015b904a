//! Settings under `cafe24_analytics.*`, the in-database form of the original service's
//! environment variables (see the table in README.md).

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting, PostgresGucEnum};
use std::ffi::CString;

pub static ENABLE_FORECASTING: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_CUSTOMER_SEGMENTATION: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_INVENTORY_OPTIMIZATION: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static ENABLE_CUSTOM_DASHBOARDS: GucSetting<bool> = GucSetting::<bool>::new(true);
pub static REPORT_STORAGE_PATH: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);
pub static SCHEDULER_DATABASE: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"postgres"));
/// `cafe24_analytics.scheduler_database`; `postgres` when unset or empty.
pub fn scheduler_database() -> String {
    SCHEDULER_DATABASE
        .get()
        .map(|c| c.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "postgres".into())
}
pub static TIMEZONE: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"GMT"));
pub static REPORT_MAX_SIZE_KB: GucSetting<i32> = GucSetting::<i32>::new(1024 * 1024);
pub static THREADS: GucSetting<i32> = GucSetting::<i32>::new(0);
pub static PROGRESS_NOTICES: GucSetting<bool> = GucSetting::<bool>::new(false);
pub static DEFAULT_LEAD_TIME_DAYS: GucSetting<i32> = GucSetting::<i32>::new(7);

/// `cafe24_analytics.live_kpis`: where order_daily and kpi_live are brought up to date.
#[derive(PostgresGucEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum LiveKpis {
    /// Deferred where the scheduler's worker folds (library preloaded, this is its
    /// database), at the statement elsewhere.
    #[name = c"auto"]
    Auto,
    /// In the triggers of the writing statement.
    #[name = c"statement"]
    Statement,
    /// Queued by the triggers, folded after commit by the worker or `fold_live_kpis()`.
    #[name = c"deferred"]
    Deferred,
}
pub static LIVE_KPIS: GucSetting<LiveKpis> = GucSetting::<LiveKpis>::new(LiveKpis::Auto);

// Scheduler (src/scheduler/).
pub static SCHEDULER_MAX_RUNNING_JOBS: GucSetting<i32> = GucSetting::<i32>::new(32);

/// A feature that a superuser can switch off.
#[derive(Clone, Copy)]
pub enum Feature {
    Forecasting,
    CustomerSegmentation,
    InventoryOptimization,
    CustomDashboards,
}

/// Raises a clear error when `feature` is switched off; `function` names the caller.
pub fn require(feature: Feature, function: &str) {
    let (setting, name) = match feature {
        Feature::Forecasting => (&ENABLE_FORECASTING, "enable_forecasting"),
        Feature::CustomerSegmentation => (&ENABLE_CUSTOMER_SEGMENTATION, "enable_customer_segmentation"),
        Feature::InventoryOptimization => (&ENABLE_INVENTORY_OPTIMIZATION, "enable_inventory_optimization"),
        Feature::CustomDashboards => (&ENABLE_CUSTOM_DASHBOARDS, "enable_custom_dashboards"),
    };
    if !setting.get() {
        crate::error::raise(
            pgrx::PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{function} is disabled by cafe24_analytics.{name} = off"),
            format!("A superuser can enable it: SET cafe24_analytics.{name} = on (or ALTER SYSTEM / ALTER DATABASE ... SET)."),
        );
    }
}

/// `cafe24_analytics.report_storage_path`, when set and not empty.
pub fn report_storage_path() -> Option<String> {
    REPORT_STORAGE_PATH.get().map(|c| c.to_string_lossy().into_owned()).filter(|s| !s.trim().is_empty())
}

/// Largest report output in bytes (`cafe24_analytics.report_max_size`).
pub fn report_max_size() -> u64 {
    REPORT_MAX_SIZE_KB.get().max(1) as u64 * 1024
}

/// Worker threads for pure computation: the setting, or the machine's cores when 0.
pub fn threads() -> usize {
    match THREADS.get() {
        n if n > 0 => n as usize,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

pub fn init() {
    let flags = GucFlags::default();
    for (name, short, setting) in [
        (
            c"cafe24_analytics.enable_forecasting",
            c"Allows the forecasting functions (forecast, forecast_sales, seasonal_trends, ...).",
            &ENABLE_FORECASTING,
        ),
        (
            c"cafe24_analytics.enable_customer_segmentation",
            c"Allows the customer analytics functions (segment_customers, customer_lifetime_value, ...).",
            &ENABLE_CUSTOMER_SEGMENTATION,
        ),
        (
            c"cafe24_analytics.enable_inventory_optimization",
            c"Allows the inventory functions (optimize_inventory, simulate_inventory_policy).",
            &ENABLE_INVENTORY_OPTIMIZATION,
        ),
        (
            c"cafe24_analytics.enable_custom_dashboards",
            c"Allows dashboards and KPI widgets.",
            &ENABLE_CUSTOM_DASHBOARDS,
        ),
    ] {
        GucRegistry::define_bool_guc(
            name,
            short,
            c"Superusers can turn a feature off for a server, database or role.",
            setting,
            GucContext::Suset,
            flags,
        );
    }
    GucRegistry::define_string_guc(
        c"cafe24_analytics.report_storage_path",
        c"Directory under which export_report writes report files.",
        c"Files are written only below this directory; unset means exports must keep bytes in cafe24.report_output.",
        &REPORT_STORAGE_PATH,
        GucContext::Suset,
        flags,
    );
    GucRegistry::define_int_guc(
        c"cafe24_analytics.report_max_size",
        c"Largest output render_report, export_report and render_dashboard may produce.",
        c"A render that grows past it fails with SQLSTATE 54000 and leaves no file behind.",
        &REPORT_MAX_SIZE_KB,
        1,
        i32::MAX,
        GucContext::Suset,
        flags | GucFlags::UNIT_KB,
    );
    GucRegistry::define_string_guc(
        c"cafe24_analytics.scheduler_database",
        c"Database the scheduler's launcher connects to (like pg_cron's cron.database_name).",
        c"",
        &SCHEDULER_DATABASE,
        GucContext::Postmaster,
        flags,
    );
    GucRegistry::define_int_guc(
        c"cafe24_analytics.threads",
        c"Worker threads for pure computation inside one call (0 = number of CPU cores).",
        c"Threads only run math on data already read; they never call into PostgreSQL.",
        &THREADS,
        0,
        256,
        GucContext::Userset,
        flags,
    );
    GucRegistry::define_int_guc(
        c"cafe24_analytics.default_lead_time_days",
        c"Supplier lead time assumed for products whose lead_time_days is NULL.",
        c"optimize_inventory says so in the reason of each product that uses it.",
        &DEFAULT_LEAD_TIME_DAYS,
        0,
        365,
        GucContext::Userset,
        flags,
    );
    GucRegistry::define_bool_guc(
        c"cafe24_analytics.progress_notices",
        c"Reports progress of long calls as NOTICE lines every few seconds.",
        c"",
        &PROGRESS_NOTICES,
        GucContext::Userset,
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
    GucRegistry::define_enum_guc(
        c"cafe24_analytics.live_kpis",
        c"When the live KPIs (order_daily, kpi_live, NOTIFY cafe24_kpi) follow a change to orders and events: auto, statement or deferred.",
        c"deferred: the triggers only queue what changed and the scheduler's worker folds it after commit (within about 250 ms); statement: the writing statement does it; auto: deferred in the scheduler's database when the library is preloaded, statement elsewhere.",
        &LIVE_KPIS,
        GucContext::Suset,
        flags,
    );

    // Scheduler.
    GucRegistry::define_int_guc(
        c"cafe24_analytics.scheduler_max_running_jobs",
        c"Most job runs the scheduler keeps in progress at once (like pg_cron's cron.max_running_jobs).",
        c"Each run is a background worker, so max_worker_processes must leave room for them; a due job waits for a free slot.",
        &SCHEDULER_MAX_RUNNING_JOBS,
        1,
        1000,
        GucContext::Sighup,
        flags,
    );
}
