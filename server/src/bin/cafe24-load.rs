//! `cafe24-load`: a bounded load loop for bench/server.sh. N clients on keep-alive HTTP/1.1
//! connections send GET requests for a fixed time and report requests per second and the
//! p50/p99 latency; `--sql` runs the same call straight over N Postgres connections (the
//! baseline: what the server adds on top of the SQL).
//!
//! cafe24-load http://127.0.0.1:8080/api/v1/kpis?names=revenue TOKEN 50 10
//! cafe24-load --sql 'postgresql:///db?host=/tmp' TOKEN 50 10 kpi_values '{"names": "revenue"}'

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

fn report(what: &str, mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) {
    latencies.sort();
    let q = |p: f64| {
        latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{what}: {} requests, {errors} errors, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        q(0.5),
        q(0.99)
    );
}

async fn http_client(host: String, path: String, token: String, until: Instant) -> (Vec<Duration>, usize) {
    let (mut lat, mut errors) = (Vec::new(), 0);
    let Ok(stream) = tokio::net::TcpStream::connect(&host).await else { return (lat, 1) };
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n");
    while Instant::now() < until {
        let t = Instant::now();
        if w.write_all(request.as_bytes()).await.is_err() {
            errors += 1;
            break;
        }
        let (mut status, mut length, mut line) = (0u16, 0usize, String::new());
        loop {
            line.clear();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return (lat, errors + 1);
            }
            if status == 0 {
                status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            } else if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            } else if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0u8; length];
        if r.read_exact(&mut body).await.is_err() {
            return (lat, errors + 1);
        }
        if status == 200 {
            lat.push(t.elapsed());
        } else {
            errors += 1;
        }
    }
    (lat, errors)
}

async fn sql_client(
    url: String,
    token: String,
    function: String,
    args: String,
    until: Instant,
) -> (Vec<Duration>, usize) {
    let (mut lat, mut errors) = (Vec::new(), 0);
    let (client, conn) = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sql connect: {e}");
            return (lat, 1);
        }
    };
    tokio::spawn(conn);
    let Ok(stmt) = client.prepare("SELECT cafe24.http_call($1, $2, $3::text::jsonb)::text").await else {
        return (lat, 1);
    };
    while Instant::now() < until {
        let t = Instant::now();
        match client.query_one(&stmt, &[&token, &function, &args]).await {
            Ok(_) => lat.push(t.elapsed()),
            Err(e) => {
                if errors == 0 {
                    eprintln!(
                        "sql error: {}",
                        e.as_db_error()
                            .map_or_else(|| e.to_string(), |d| format!("{} {}", d.code().code(), d.message()))
                    );
                }
                errors += 1;
            }
        }
    }
    (lat, errors)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sql = args.first().map(String::as_str) == Some("--sql");
    let a = if sql { &args[1..] } else { &args[..] };
    if a.len() < 4 || (sql && a.len() < 6) {
        eprintln!("usage: cafe24-load URL TOKEN CLIENTS SECONDS | cafe24-load --sql DATABASE_URL TOKEN CLIENTS SECONDS FUNCTION ARGS");
        std::process::exit(2);
    }
    let (target, token) = (a[0].clone(), a[1].clone());
    let clients: usize = a[2].parse().expect("CLIENTS is a number");
    let seconds: u64 = a[3].parse().expect("SECONDS is a number");
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        tasks.push(if sql {
            tokio::spawn(sql_client(target.clone(), token.clone(), a[4].clone(), a[5].clone(), until))
        } else {
            let rest = target.strip_prefix("http://").expect("an http:// URL");
            let (host, path) = rest
                .split_once('/')
                .map(|(h, p)| (h.to_string(), format!("/{p}")))
                .unwrap_or((rest.to_string(), "/".into()));
            tokio::spawn(http_client(host, path, token.clone(), until))
        });
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap_or_default();
        all.extend(l);
        errors += e;
    }
    report(if sql { "sql" } else { "http" }, all, errors, start.elapsed());
}
