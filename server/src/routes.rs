//! The endpoints: each maps its path and method onto one public `cafe24` function, with the
//! function's own parameter names (query string for GET, a JSON object for the others), and
//! runs it through `cafe24.http_call` as the bearer token's role.

use crate::Args;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, MethodFilter};
use axum::Router;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::StreamExt;
use serde_json::{json, Map, Value as Json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_postgres::NoTls;

/// How a request becomes the function's arguments.
#[derive(Clone, Copy)]
enum Input {
    /// GET: the query string (a repeated name gives an array).
    Query,
    /// POST/PUT/DELETE: a JSON object in the body.
    Body,
}

/// One endpoint: method, path (axum syntax), the function it calls, how arguments arrive,
/// the path parameter (if any) passed as the named argument, and what the response is.
struct Endpoint {
    method: Method,
    path: &'static str,
    function: &'static str,
    input: Input,
    path_arg: Option<&'static str>,
    bytes: bool,
    summary: &'static str,
}

macro_rules! ep {
    ($m:ident $path:literal => $f:literal, $input:ident, $path_arg:expr, $bytes:expr, $summary:literal) => {
        Endpoint {
            method: Method::$m,
            path: $path,
            function: $f,
            input: Input::$input,
            path_arg: $path_arg,
            bytes: $bytes,
            summary: $summary,
        }
    };
}

/// Every endpoint. The OpenAPI document is generated from this list and the functions'
/// signatures in `pg_proc`.
fn endpoints() -> Vec<Endpoint> {
    vec![
        ep!(GET "/api/v1/analytics/sales-forecast" => "forecast_sales", Query, None, false, "Sales forecast per series with intervals"),
        ep!(GET "/api/v1/analytics/forecast-backtest" => "backtest_forecast", Query, None, false, "Rolling-origin backtest of the forecast models"),
        ep!(GET "/api/v1/analytics/customer-segmentation" => "segment_customers", Query, None, false, "RFM segments per customer"),
        ep!(GET "/api/v1/analytics/segment-summary" => "segment_summary", Query, None, false, "One row per customer segment"),
        ep!(GET "/api/v1/analytics/customer-lifetime-value" => "customer_lifetime_value", Query, None, false, "Predicted lifetime value per customer"),
        ep!(GET "/api/v1/analytics/inventory-optimization" => "optimize_inventory", Query, None, false, "Reorder points and order quantities per product"),
        ep!(GET "/api/v1/analytics/profit-margins" => "profit_margins", Query, None, false, "Revenue, cost and margin by product, category or shop"),
        ep!(GET "/api/v1/analytics/seasonal-trends" => "seasonal_trends", Query, None, false, "Trend and seasonal strength per series"),
        ep!(GET "/api/v1/analytics/cohorts" => "cohort_retention", Query, None, false, "Retention by acquisition cohort"),
        ep!(GET "/api/v1/analytics/funnel" => "funnel", Query, None, false, "Conversion funnel of behaviour events"),
        ep!(GET "/api/v1/kpis" => "kpi_values", Query, None, false, "KPI values with comparison and sparkline"),
        ep!(GET "/api/v1/cron/next" => "cron_next", Query, None, false, "Next run times of a cron schedule"),
        ep!(GET "/api/v1/catalog" => "catalog", Query, None, false, "KPIs, dashboards, reports, outputs, jobs and progress the caller can see"),
        ep!(POST "/api/v1/orders" => "ingest_orders", Body, None, false, "Ingest a Cafe24 Admin API orders payload"),
        ep!(POST "/api/v1/reports/generate" => "render_report", Body, None, true, "Render a report (pdf, xlsx, csv, html or json)"),
        ep!(POST "/api/v1/reports/export" => "export_report", Body, None, false, "Export a report to the server's storage path"),
        ep!(POST "/api/v1/reports/custom-dashboard" => "create_dashboard", Body, None, false, "Create a dashboard from a spec"),
        ep!(GET "/api/v1/reports/custom-dashboard/{name}" => "dashboard_data", Query, Some("name"), false, "A dashboard's widgets with their data"),
        ep!(PUT "/api/v1/reports/custom-dashboard/{name}" => "create_dashboard", Body, Some("name"), false, "Create or replace a dashboard"),
        ep!(DELETE "/api/v1/reports/custom-dashboard/{name}" => "drop_dashboard", Body, Some("name"), false, "Drop a dashboard"),
        ep!(POST "/api/v1/reports/schedule" => "schedule_report", Body, None, false, "Schedule a report export"),
        ep!(DELETE "/api/v1/reports/schedule/{job_name}" => "unschedule", Body, Some("job_name"), false, "Unschedule a job"),
    ]
}

#[derive(Clone)]
pub struct State {
    pool: Pool,
    statement_timeout: String,
    max_body_bytes: usize,
    openapi: Arc<Json>,
    live: broadcast::Sender<String>,
}

impl State {
    pub async fn connect(args: &Args) -> Result<State, String> {
        let config: tokio_postgres::Config = args.database_url.parse().map_err(|e| format!("{e}"))?;
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(args.pool_size).build().map_err(|e| format!("{e}"))?;
        let client = pool.get().await.map_err(|e| format!("{e}"))?;
        let openapi = openapi(&client).await.map_err(|e| format!("{e}"))?;
        drop(client);
        let (live, _) = broadcast::channel(1024);
        tokio::spawn(listen(config, live.clone()));
        Ok(State {
            pool,
            statement_timeout: args.statement_timeout_ms.to_string(),
            max_body_bytes: args.max_body_bytes,
            openapi: Arc::new(openapi),
            live,
        })
    }
}

pub fn router(state: State, _args: &Args) -> Router {
    let mut r = Router::new()
        .route("/", get(index))
        .route("/api/v1/health", get(health))
        .route(
            "/api/v1/openapi.json",
            get(|AxState(s): AxState<State>| async move { axum::Json((*s.openapi).clone()) }),
        )
        .route("/api/v1/live", get(live))
        .route(
            "/assets/NanumSquareR.ttf",
            get(|| async { font(include_bytes!("../../engine/assets/fonts/NanumSquareR.ttf")) }),
        )
        .route(
            "/assets/NanumSquareB.ttf",
            get(|| async { font(include_bytes!("../../engine/assets/fonts/NanumSquareB.ttf")) }),
        );
    let mut by_path: std::collections::BTreeMap<&str, Vec<Endpoint>> = Default::default();
    for e in endpoints() {
        by_path.entry(e.path).or_default().push(e);
    }
    for (path, eps) in by_path {
        let mut method_router = axum::routing::MethodRouter::new();
        for e in eps {
            let e = Arc::new(e);
            let filter = MethodFilter::try_from(e.method.clone()).expect("a routable method");
            method_router = method_router.merge(on(
                filter,
                move |st: AxState<State>,
                      headers: HeaderMap,
                      path: Option<Path<std::collections::HashMap<String, String>>>,
                      query: Query<Vec<(String, String)>>,
                      body: Body| {
                    let e = e.clone();
                    async move { handle(e, st, headers, path, query, body).await }
                },
            ));
        }
        r = r.route(path, method_router);
    }
    // One INFO line per request: method, path, status, latency.
    let trace = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO));
    r.layer(trace).with_state(state)
}

/// An error as JSON: `{"error": {"sqlstate", "message", "detail", "hint"}}`.
struct ApiError {
    status: StatusCode,
    body: Json,
}

impl ApiError {
    fn new(status: StatusCode, sqlstate: Option<&str>, message: impl Into<String>, hint: Option<&str>) -> ApiError {
        ApiError {
            status,
            body: json!({"error": {"sqlstate": sqlstate, "message": message.into(), "detail": null, "hint": hint}}),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// The HTTP status of a SQLSTATE; 28000 is 401 only from the token check itself (a
/// function's own 28000, such as a job owner who cannot log in, is 403).
fn status_of(sqlstate: &str, from_token_check: bool) -> StatusCode {
    match sqlstate {
        "28000" if from_token_check => StatusCode::UNAUTHORIZED,
        "28000" | "28P01" => StatusCode::FORBIDDEN,
        "42501" => StatusCode::FORBIDDEN,
        "42704" | "42883" | "58P01" => StatusCode::NOT_FOUND,
        "54000" => StatusCode::PAYLOAD_TOO_LARGE,
        "57014" => StatusCode::GATEWAY_TIMEOUT,
        "40001" | "40P01" | "55P03" => StatusCode::CONFLICT,
        s if s.starts_with("23") || s == "42710" || s == "58P02" => StatusCode::CONFLICT,
        s if s.starts_with("22") || s.starts_with("0A") || s == "P0001" || s == "42601" || s == "55000" => {
            StatusCode::BAD_REQUEST
        }
        s if s.starts_with("53") || s.starts_with("57") || s.starts_with("08") => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> ApiError {
        match e.as_db_error() {
            Some(d) => {
                let code = d.code().code();
                // "http_call: horizon: invalid input syntax ..." names the field.
                let message = d
                    .message()
                    .strip_prefix("http_call_bytes: ")
                    .or_else(|| d.message().strip_prefix("http_call: "))
                    .unwrap_or(d.message());
                let field = message.split_once(": ").map(|(f, _)| f).filter(|f| {
                    !f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
                let mut body =
                    json!({"error": {"sqlstate": code, "message": message, "detail": d.detail(), "hint": d.hint()}});
                if let Some(f) = field.filter(|_| code.starts_with("22")) {
                    body["error"]["field"] = json!(f);
                }
                let from_token_check = message.starts_with("the API key");
                ApiError { status: status_of(code, from_token_check), body }
            }
            None => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                format!("database: {e}"),
                Some("The server could not reach PostgreSQL; try again."),
            ),
        }
    }
}

fn token(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    match value.strip_prefix("Bearer ").map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_string()),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            None,
            "missing bearer token",
            Some("Send Authorization: Bearer <token>, with a token from cafe24.create_api_key."),
        )),
    }
}

/// The function's arguments from the path, the query string or the JSON body.
async fn arguments(
    e: &Endpoint,
    state: &State,
    path: Option<Path<std::collections::HashMap<String, String>>>,
    query: Vec<(String, String)>,
    body: Body,
) -> Result<Map<String, Json>, ApiError> {
    let mut args = Map::new();
    match e.input {
        Input::Query => {
            let mut grouped: Map<String, Json> = Map::new();
            for (k, v) in query {
                match grouped.get_mut(&k) {
                    Some(Json::Array(a)) => a.push(Json::String(v)),
                    Some(first) => *first = Json::Array(vec![first.take(), Json::String(v)]),
                    None => {
                        grouped.insert(k, Json::String(v));
                    }
                }
            }
            // A dashboard's query string holds its parameters, and `widgets` the widget
            // numbers to refresh alone.
            if e.function == "dashboard_data" {
                if let Some(w) = grouped.remove("widgets") {
                    args.insert("widgets".into(), w);
                }
                args.insert("params".into(), Json::Object(grouped));
            } else {
                args = grouped;
            }
        }
        Input::Body => {
            let bytes: Bytes = axum::body::to_bytes(body, state.max_body_bytes).await.map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some("54000"),
                    format!("the request body is larger than {} bytes", state.max_body_bytes),
                    Some("Send less, or start the server with a larger --max-body-bytes."),
                )
            })?;
            if !bytes.is_empty() {
                match serde_json::from_slice::<Json>(&bytes) {
                    Ok(Json::Object(m)) => args = m,
                    Ok(other) => {
                        return Err(ApiError::new(
                            StatusCode::BAD_REQUEST,
                            Some("22023"),
                            format!("the body must be a JSON object of arguments, got {}", kind(&other)),
                            Some("Send {\"name\": value, ...} with the function's parameter names."),
                        ))
                    }
                    Err(err) => {
                        return Err(ApiError::new(
                            StatusCode::BAD_REQUEST,
                            Some("22P02"),
                            format!("the body is not JSON: {err}"),
                            None,
                        ))
                    }
                }
            }
        }
    }
    // PUT replaces what is there.
    if e.method == Method::PUT {
        args.entry("replace").or_insert(Json::Bool(true));
    }
    if let (Some(Path(p)), Some(name)) = (path, e.path_arg) {
        if let Some(v) = p.into_values().next() {
            args.insert(name.into(), Json::String(v));
        }
    }
    Ok(args)
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

async fn handle(
    e: Arc<Endpoint>,
    AxState(state): AxState<State>,
    headers: HeaderMap,
    path: Option<Path<std::collections::HashMap<String, String>>>,
    Query(query): Query<Vec<(String, String)>>,
    body: Body,
) -> Response {
    let result = async {
        let token = token(&headers)?;
        let args = Json::Object(arguments(&e, &state, path, query, body).await?).to_string();
        let mut client =
            state.pool.get().await.map_err(|err| {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, None, format!("database: {err}"), None)
            })?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_catalog.set_config('statement_timeout', $1, true)", &[&state.statement_timeout]).await?;
        let response = if e.bytes {
            let row = tx
                .query_one("SELECT cafe24.http_call_bytes($1, $2, $3::text::jsonb)", &[&token, &e.function, &args])
                .await?;
            let data: Option<Vec<u8>> = row.get(0);
            let data = data.unwrap_or_default();
            let (mime, ext) = content_type(&args, &data);
            let name = serde_json::from_str::<Json>(&args)
                .ok()
                .and_then(|a| a["name"].as_str().map(str::to_string))
                .unwrap_or_else(|| "report".into());
            let file =
                format!("{}.{ext}", name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-', "_"));
            (
                [
                    (header::CONTENT_TYPE, mime.to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
                ],
                data,
            )
                .into_response()
        } else {
            let row = tx
                .query_one("SELECT cafe24.http_call($1, $2, $3::text::jsonb)::text", &[&token, &e.function, &args])
                .await?;
            let text: Option<String> = row.get(0);
            let value: Json = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Json::Null);
            let status = if e.method == Method::POST { StatusCode::CREATED } else { StatusCode::OK };
            (status, axum::Json(value)).into_response()
        };
        tx.commit().await?;
        Ok::<_, ApiError>(response)
    }
    .await;
    result.unwrap_or_else(|err| err.into_response())
}

/// The MIME type and file extension of a rendered report (a CSV of several sections is a zip).
fn content_type(args: &str, data: &[u8]) -> (&'static str, &'static str) {
    let format = serde_json::from_str::<Json>(args)
        .ok()
        .and_then(|a| a["format"].as_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| "pdf".into());
    match format.as_str() {
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "csv" if data.starts_with(b"PK\x03\x04") => ("application/zip", "zip"),
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "html" => ("text/html; charset=utf-8", "html"),
        "json" => ("application/json", "json"),
        _ => ("application/pdf", "pdf"),
    }
}

async fn health(AxState(state): AxState<State>) -> Response {
    match state.pool.get().await {
        Ok(c) => match c.query_one("SELECT 1", &[]).await {
            Ok(_) => axum::Json(json!({"status": "ok"})).into_response(),
            Err(e) => ApiError::from(e).into_response(),
        },
        Err(e) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, None, format!("database: {e}"), None).into_response(),
    }
}

/// The page's Hangul font (NanumSquare, OFL, the one the PDFs embed), so that it reads the
/// same on any machine.
fn font(bytes: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, "font/ttf"), (header::CACHE_CONTROL, "public, max-age=86400")], bytes).into_response()
}

async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("../ui/index.html")).into_response()
}

/// Server-sent events: one `kpi` event per `NOTIFY cafe24_kpi` (its key: kpi, shop, day) of a
/// shop the token's role may read (`cafe24.readable_shops()`, read when the stream opens), for
/// clients with a valid token; the client reads the values through /api/v1/kpis.
async fn live(AxState(state): AxState<State>, headers: HeaderMap) -> Response {
    let result = async {
        let token = token(&headers)?;
        let client =
            state.pool.get().await.map_err(|err| {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, None, format!("database: {err}"), None)
            })?;
        let row = client.query_one("SELECT cafe24.http_call($1, 'readable_shops', '{}')::text", &[&token]).await?;
        let shops: Vec<Json> = serde_json::from_str(row.get::<_, Option<&str>>(0).unwrap_or("[]")).unwrap_or_default();
        Ok::<_, ApiError>(
            shops
                .iter()
                .filter_map(|s| s.get("shop_no").and_then(Json::as_i64))
                .collect::<std::collections::HashSet<i64>>(),
        )
    }
    .await;
    let shops = match result {
        Ok(shops) => shops,
        Err(e) => return e.into_response(),
    };
    let events = tokio_stream_of(state.live.subscribe())
        .filter(move |payload| {
            let shop = serde_json::from_str::<Json>(payload).ok().and_then(|v| v.get("shop").and_then(Json::as_i64));
            std::future::ready(shop.is_some_and(|s| shops.contains(&s)))
        })
        .map(|payload| Ok::<_, std::convert::Infallible>(Event::default().event("kpi").data(payload)));
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

/// A broadcast receiver as a stream; a lagging client skips what it missed.
fn tokio_stream_of(rx: broadcast::Receiver<String>) -> impl futures_util::Stream<Item = String> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(v) => return Some((v, rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// Keeps one connection listening on `cafe24_kpi` and forwards every notification; reconnects
/// after a second when the connection is lost.
async fn listen(config: tokio_postgres::Config, tx: broadcast::Sender<String>) {
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (ntx, mut nrx) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(Ok(m)) = messages.next().await {
                        if let tokio_postgres::AsyncMessage::Notification(n) = m {
                            let _ = ntx.send(n.payload().to_string());
                        }
                    }
                });
                if client.batch_execute("LISTEN cafe24_kpi").await.is_ok() {
                    tracing::info!("listening for NOTIFY cafe24_kpi");
                    while let Some(p) = nrx.recv().await {
                        let _ = tx.send(p);
                    }
                }
                driver.abort();
                tracing::warn!("the LISTEN connection ended; reconnecting");
            }
            Err(e) => tracing::warn!("LISTEN connection failed: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The OpenAPI 3 document: one operation per endpoint, its parameters and their types read
/// from the function's signature in `pg_proc`.
async fn openapi(client: &tokio_postgres::Client) -> Result<Json, tokio_postgres::Error> {
    let mut paths = Map::new();
    for e in endpoints() {
        let rows = client
            .query(
                "SELECT a.n, pg_catalog.format_type(a.t, NULL), a.i > p.pronargs - p.pronargdefaults, pg_catalog.obj_description(p.oid, 'pg_proc')
                 FROM pg_catalog.pg_proc AS p
                 CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs], p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS a(n, t, i)
                 WHERE p.pronamespace = 'cafe24'::pg_catalog.regnamespace AND p.proname = $1
                 ORDER BY p.oid, a.i",
                &[&e.function],
            )
            .await?;
        let mut params = Vec::new();
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut description = String::new();
        for r in &rows {
            let (name, ty, optional, desc): (String, String, bool, Option<String>) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            description = desc.unwrap_or_default();
            let schema = json_schema(&ty);
            if Some(name.as_str()) == e.path_arg {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
            } else if matches!(e.input, Input::Query) && e.function != "dashboard_data" {
                params.push(
                    json!({"name": name, "in": "query", "required": !optional, "schema": schema, "description": ty}),
                );
            } else if matches!(e.input, Input::Body) {
                props.insert(name.clone(), json!({"allOf": [schema], "description": ty}));
                if !optional {
                    required.push(name);
                }
            }
        }
        let mut op = json!({
            "summary": e.summary,
            "description": format!("Calls cafe24.{}. {}", e.function, description),
            "operationId": format!("{}_{}", e.method.as_str().to_ascii_lowercase(), e.function),
            "parameters": params,
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "The function's result (rows as an array of objects)"},
                "400": {"description": "Bad argument", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "Missing or invalid token"},
                "403": {"description": "The token's role may not do this"},
                "404": {"description": "No such object"}
            }
        });
        if matches!(e.input, Input::Body) {
            op["requestBody"] = json!({"content": {"application/json": {"schema": {"type": "object", "properties": props, "required": required}}}});
        }
        if e.bytes {
            op["responses"]["200"] = json!({"description": "The rendered report", "content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}, "text/html": {}, "application/json": {}}});
        }
        let path = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        path[e.method.as_str().to_ascii_lowercase()] = op;
    }
    Ok(json!({
        "openapi": "3.0.3",
        "info": {"title": "cafe24_analytics", "version": env!("CARGO_PKG_VERSION"), "description": "Every operation calls one SQL function of the cafe24_analytics extension as the bearer token's role."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "sqlstate": {"type": "string"}, "message": {"type": "string"}, "detail": {"type": "string", "nullable": true},
                "hint": {"type": "string", "nullable": true}, "field": {"type": "string"}}}}}}
        }
    }))
}

/// The JSON schema of a PostgreSQL type name.
fn json_schema(ty: &str) -> Json {
    if let Some(inner) = ty.strip_suffix("[]") {
        return json!({"type": "array", "items": json_schema(inner)});
    }
    match ty {
        "integer" | "bigint" | "smallint" => json!({"type": "integer"}),
        "double precision" | "real" | "numeric" => json!({"type": "number"}),
        "boolean" => json!({"type": "boolean"}),
        "date" => json!({"type": "string", "format": "date"}),
        "timestamp with time zone" => json!({"type": "string", "format": "date-time"}),
        "jsonb" | "json" => json!({"type": "object"}),
        _ => json!({"type": "string"}),
    }
}
