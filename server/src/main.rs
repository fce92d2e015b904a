//! `cafe24-analytics-server`: the HTTP API of cafe24_analytics. It holds no analytics: every
//! endpoint is one call of `cafe24.http_call` (or `http_call_bytes`) with the request's
//! bearer token, which runs the extension's SQL function as the token's role (docs/server.md).

mod routes;

use clap::Parser;
use std::net::SocketAddr;
use std::time::Duration;

/// HTTP API over a database with the cafe24_analytics extension.
#[derive(Parser, Debug, Clone)]
#[command(version, about)]
pub struct Args {
    /// libpq URL of the database; the login needs EXECUTE on cafe24.authenticate,
    /// cafe24.http_call and cafe24.http_call_bytes, and nothing else.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Connections in the pool.
    #[arg(long, default_value_t = 16)]
    pub pool_size: usize,
    /// Longest a request's SQL may run (statement_timeout), in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub statement_timeout_ms: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    let args = Args::parse();
    let state = match routes::State::connect(&args).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cafe24-analytics-server: cannot use the database: {e}");
            std::process::exit(2);
        }
    };
    let app = routes::router(state, &args);
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cafe24-analytics-server: cannot listen on {}: {e}", args.listen);
            std::process::exit(2);
        }
    };
    tracing::info!("listening on http://{}", args.listen);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .unwrap_or_else(|e| eprintln!("cafe24-analytics-server: {e}"));
    tracing::info!("stopped");
}

/// Resolves on SIGTERM or Ctrl-C; open requests get up to 10 s to finish.
async fn shutdown() {
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("shutting down");
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        std::process::exit(0);
    });
}
