//! The admin HTTP server: `/metrics`, `/healthz` and `/readyz` on one port
//! (`metrics.listen`, default `0.0.0.0:9464`).
//!
//! hyper's HTTP/1 server on a single-threaded tokio runtime that runs on
//! its own OS thread (`redactd-admin`), apart from the pipeline and
//! librdkafka's threads, so the port answers while those are busy or stuck
//! (decision 0049). A slow client costs a task, not a thread:
//!
//! - every connection has one deadline for the whole exchange, request head
//!   read and answer written ([`REQUEST_TIMEOUT`]); when it passes the
//!   connection is closed;
//! - a request head may be at most [`MAX_REQUEST_BYTES`] (431 beyond);
//! - keep-alive is off: every answer closes its connection;
//! - at most [`MAX_CONNECTIONS`] connections are served at once (a
//!   semaphore). When all permits are taken, a new connection closes the
//!   *oldest* one instead of waiting or being refused: answers come from
//!   memory in microseconds, so the oldest connection is a slow client, and
//!   a probe that connects still gets its answer.
//!
//! The endpoints:
//!
//! - `GET /metrics`: [`Metrics::render`], text format 0.0.4.
//! - `GET /healthz`: 200 while the process runs (the thread answers).
//! - `GET /readyz`: 200 while the [`Readiness`] latch is set, else 503.
//!
//! Anything else is 404 (unknown path), 405 (not GET/HEAD) or 400 (not
//! HTTP/1).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::task::AbortHandle;

use crate::metrics::{Metrics, CONTENT_TYPE};

/// Largest request head read (request line and headers); probes and
/// Prometheus send a few hundred bytes. Also hyper's smallest read buffer.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// Connections served at once. A trickling client holds a task, a socket
/// and hyper's buffers (about 13 KiB measured, 256 held: 3.3 MiB), not a
/// thread, so the bound is for file descriptors and memory; a scrape and
/// two probes need three.
pub const MAX_CONNECTIONS: usize = 256;
/// Deadline for a whole exchange: request head in, answer out. A probe or a
/// scrape takes milliseconds; Prometheus' default scrape timeout is 10 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an error answer waits for the client's leftover input.
const LINGER: Duration = Duration::from_secs(1);
/// How long [`AdminServer::stop`] lets answers in flight finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause after a failed accept (EMFILE and friends), so a full fd table
/// does not spin the thread.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

const TEXT: HeaderValue = HeaderValue::from_static("text/plain");
const METRICS_TEXT: HeaderValue = HeaderValue::from_static(CONTENT_TYPE);
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const CLOSE: HeaderValue = HeaderValue::from_static("close");

/// The `/readyz` latch: not ready until the daemon says so.
///
/// The daemon sets it when its packs are compiled and partitions are
/// assigned, and clears it when every partition is revoked or the producer
/// is unhealthy, so that Kubernetes stops counting the pod as available
/// (and a rollout waits) without restarting it; `/healthz` stays 200.
#[derive(Debug)]
pub struct Readiness {
    ready: AtomicBool,
    metrics: Option<Arc<Metrics>>,
}

impl Readiness {
    /// A cleared latch; `metrics`, if given, mirrors it in `redactd_ready`.
    pub fn new(metrics: Option<Arc<Metrics>>) -> Arc<Readiness> {
        if let Some(m) = &metrics {
            m.set_ready(false);
        }
        Arc::new(Readiness {
            ready: AtomicBool::new(false),
            metrics,
        })
    }

    /// Sets (true) or clears (false) the latch.
    pub fn set(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
        if let Some(m) = &self.metrics {
            m.set_ready(ready);
        }
    }

    /// Whether `/readyz` answers 200.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

/// The admin server could not start.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// `metrics.listen` is not an address.
    #[error("metrics.listen: {addr:?} is not a socket address (e.g. 0.0.0.0:9464): {source}")]
    Address {
        /// The configured value.
        addr: String,
        /// Why it did not resolve.
        source: std::io::Error,
    },
    /// The port is taken or not ours to bind.
    #[error("metrics.listen: cannot listen on {addr}: {source}")]
    Bind {
        /// The configured value.
        addr: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// A running admin server; stops when dropped (or with [`AdminServer::stop`]).
#[derive(Debug)]
pub struct AdminServer {
    addr: SocketAddr,
    /// Sending on it (or dropping it) ends the accept loop.
    stop: Option<oneshot::Sender<()>>,
    /// The `redactd-admin` thread; it owns the runtime, so joining it means
    /// every connection task is gone.
    thread: Option<JoinHandle<()>>,
}

/// What bounds one server. [`AdminServer::start`] uses the constants;
/// tests shrink them.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Connections served at once (semaphore permits).
    connections: usize,
    /// Deadline for one connection's whole exchange.
    request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connections: MAX_CONNECTIONS,
            request_timeout: REQUEST_TIMEOUT,
        }
    }
}

/// What the endpoints answer from.
#[derive(Debug)]
struct Sources {
    metrics: Arc<Metrics>,
    ready: Arc<Readiness>,
}

impl AdminServer {
    /// Binds `listen` (e.g. `0.0.0.0:9464`, or `127.0.0.1:0` for a free
    /// port) and serves on a background thread. Binding happens here, so a
    /// port in use is an error of this call.
    pub fn start(
        listen: &str,
        metrics: Arc<Metrics>,
        ready: Arc<Readiness>,
    ) -> Result<AdminServer, AdminError> {
        AdminServer::start_with(listen, metrics, ready, Limits::default())
    }

    fn start_with(
        listen: &str,
        metrics: Arc<Metrics>,
        ready: Arc<Readiness>,
        limits: Limits,
    ) -> Result<AdminServer, AdminError> {
        let addrs: Vec<SocketAddr> = listen
            .to_socket_addrs()
            .map_err(|source| AdminError::Address {
                addr: listen.to_string(),
                source,
            })?
            .collect();
        let bind_err = |source| AdminError::Bind {
            addr: listen.to_string(),
            source,
        };
        let listener = std::net::TcpListener::bind(&addrs[..]).map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(bind_err)?;
        let listener = {
            let _in_runtime = runtime.enter();
            TcpListener::from_std(listener).map_err(bind_err)?
        };
        let sources = Arc::new(Sources { metrics, ready });
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("redactd-admin".into())
            .spawn(move || runtime.block_on(accept_loop(listener, sources, limits, stopped)))
            .map_err(bind_err)?;
        Ok(AdminServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The bound address (the real port when `listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting (the port is released), lets answers in flight
    /// finish for up to a second, closes what is left and waits for the
    /// thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AdminServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Accepts until `stop`, one task per connection, each holding a permit;
/// then drains.
async fn accept_loop(
    listener: TcpListener,
    sources: Arc<Sources>,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(limits.connections));
    // Connection tasks in the order they were accepted, so that the oldest
    // can be closed when the permits run out. Finished tasks leave from the
    // front as they are met, and all at once when the queue grows long.
    let mut open: VecDeque<AbortHandle> = VecDeque::new();
    loop {
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                // ECONNABORTED, EMFILE and friends: keep serving.
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                close_oldest(&mut open);
                // The closed task gives its permit back as soon as the
                // runtime drops it, which is the next thing it does.
                tokio::select! {
                    _ = &mut stop => break,
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                }
            }
        };
        let task = tokio::spawn(serve_connection(
            stream,
            permit,
            sources.clone(),
            limits.request_timeout,
        ));
        open.push_back(task.abort_handle());
        if open.len() > 2 * limits.connections {
            open.retain(|t| !t.is_finished());
        }
    }
    drop(listener);
    // Every permit back means every connection is done; what is still open
    // after the drain time is dropped with the runtime.
    let all = u32::try_from(limits.connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, permits.acquire_many(all)).await;
}

/// Aborts the oldest connection task that has not finished yet.
fn close_oldest(open: &mut VecDeque<AbortHandle>) {
    while let Some(task) = open.pop_front() {
        if !task.is_finished() {
            task.abort();
            return;
        }
    }
}

/// One connection: one request, one answer, within `timeout` in all.
async fn serve_connection(
    mut stream: TcpStream,
    permit: OwnedSemaphorePermit,
    sources: Arc<Sources>,
    timeout: Duration,
) {
    let service = hyper::service::service_fn(|req: Request<hyper::body::Incoming>| {
        std::future::ready(Ok::<_, Infallible>(answer(
            req.method(),
            req.uri().path(),
            &sources,
        )))
    });
    let exchange = http1::Builder::new()
        .keep_alive(false)
        .max_buf_size(MAX_REQUEST_BYTES)
        // The header names as before hyper (`Content-Type`, not
        // `content-type`); HTTP does not care, people reading curl do.
        .title_case_headers(true)
        .serve_connection(TokioIo::new(&mut stream), service);
    let outcome = tokio::time::timeout(timeout, exchange).await;
    match outcome {
        Ok(Ok(())) => {}
        // hyper answered a request it could not parse (400, 431) or the
        // client went away; either way let it read what we sent.
        Ok(Err(_)) => linger(&mut stream).await,
        // The deadline passed: close without an answer.
        Err(_elapsed) => {}
    }
    drop(permit);
}

/// Closes after an error answer without resetting the connection: a close
/// with unread input sends a TCP reset, which can destroy the answer before
/// the client reads it. Reads (and drops) a bounded amount of what is left,
/// for at most [`LINGER`].
async fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown().await;
    let drain = async {
        let mut chunk = [0u8; 4096];
        let mut left = 16 * MAX_REQUEST_BYTES;
        while left > 0 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

/// The answer to `method path` (hyper drops the body of a HEAD answer and
/// keeps its length).
fn answer(method: &Method, path: &str, sources: &Sources) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    match path {
        "/metrics" => respond(
            StatusCode::OK,
            METRICS_TEXT,
            Bytes::from(sources.metrics.render()),
        ),
        "/healthz" => text(StatusCode::OK, "ok\n"),
        "/readyz" if sources.ready.is_ready() => text(StatusCode::OK, "ready\n"),
        "/readyz" => text(StatusCode::SERVICE_UNAVAILABLE, "not ready\n"),
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    respond(status, TEXT, Bytes::from_static(body.as_bytes()))
}

/// An answer with `Content-Type`, `Cache-Control: no-store` and
/// `Connection: close` (hyper adds `Content-Length`).
fn respond(status: StatusCode, content_type: HeaderValue, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CACHE_CONTROL, NO_STORE);
    headers.insert(header::CONNECTION, CLOSE);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::Instant;

    /// A raw HTTP exchange: sends `request` as is, returns (status, headers
    /// text, body).
    fn exchange(addr: SocketAddr, request: &[u8]) -> (u16, String, String) {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(request).expect("send");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("read");
        let text = String::from_utf8(out).expect("utf-8 response");
        let (head, body) = text.split_once("\r\n\r\n").expect("head/body");
        let status = head[9..12].parse().expect("status");
        (status, head.to_string(), body.to_string())
    }

    fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
        exchange(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
        )
    }

    /// Whether the server closes `c` within `wait` (EOF or reset), reading
    /// and ignoring nothing: any answer bytes count as "not closed".
    fn closed_within(c: &TcpStream, wait: Duration) -> bool {
        c.set_read_timeout(Some(wait)).expect("timeout");
        let mut buf = [0u8; 64];
        match (&*c).read(&mut buf) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        }
    }

    /// A connection that has sent the start of a request and stops there.
    fn idle(addr: SocketAddr) -> TcpStream {
        let mut c = TcpStream::connect(addr).expect("connect");
        c.write_all(b"GET /hea").expect("send");
        // Let the server accept it before the next one, so that the order
        // of acceptance is the order of the calls.
        std::thread::sleep(Duration::from_millis(100));
        c
    }

    /// How one trickling client ended.
    #[derive(Debug)]
    struct Trickled {
        /// Time from its connect to the server closing it; `None` if still
        /// open when the client gave up.
        closed_after: Option<Duration>,
        /// Answer bytes received (none is expected).
        answered: usize,
    }

    /// A client that sends a request one byte every `pace` and never
    /// finishes it (the last header goes on and on), until the server closes
    /// the connection or `give_up` passes.
    fn trickle(
        addr: SocketAddr,
        pace: Duration,
        give_up: Duration,
    ) -> std::thread::JoinHandle<Trickled> {
        let mut c = TcpStream::connect(addr).expect("connect");
        let connected = Instant::now();
        std::thread::spawn(move || {
            let request = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            let mut answered = 0;
            // The read timeout is the pace: one byte out, then wait for the
            // server to say something (or close).
            c.set_read_timeout(Some(pace)).expect("timeout");
            for i in 0.. {
                if connected.elapsed() >= give_up {
                    break;
                }
                let byte = request.get(i).copied().unwrap_or(b'a');
                if c.write_all(&[byte]).is_err() {
                    return Trickled {
                        closed_after: Some(connected.elapsed()),
                        answered,
                    };
                }
                let mut buf = [0u8; 512];
                match c.read(&mut buf) {
                    Ok(0) => {
                        return Trickled {
                            closed_after: Some(connected.elapsed()),
                            answered,
                        }
                    }
                    Ok(n) => answered += n,
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => {
                        return Trickled {
                            closed_after: Some(connected.elapsed()),
                            answered,
                        }
                    }
                }
            }
            Trickled {
                closed_after: None,
                answered,
            }
        })
    }

    fn server() -> (AdminServer, Arc<Metrics>, Arc<Readiness>) {
        let metrics = Metrics::new();
        let ready = Readiness::new(Some(metrics.clone()));
        let s = AdminServer::start("127.0.0.1:0", metrics.clone(), ready.clone()).expect("start");
        (s, metrics, ready)
    }

    #[test]
    fn endpoints_answer() {
        let (s, metrics, ready) = server();
        let addr = s.local_addr();
        assert_eq!(get(addr, "/healthz").0, 200);

        let (status, _, body) = get(addr, "/readyz");
        assert_eq!((status, body.as_str()), (503, "not ready\n"));
        ready.set(true);
        assert_eq!(get(addr, "/readyz").0, 200);
        ready.set(false);
        assert_eq!(get(addr, "/readyz").0, 503);

        metrics.record(
            crate::metrics::Outcome::Curated,
            10,
            8,
            Duration::from_micros(5),
        );
        let (status, head, body) = get(addr, "/metrics?x=1");
        assert_eq!(status, 200);
        assert!(
            head.contains("Content-Type: text/plain; version=0.0.4"),
            "{head}"
        );
        assert!(
            body.contains("redactd_records_total{outcome=\"curated\"} 1"),
            "{body}"
        );
        assert!(body.contains("redactd_ready 0"), "{body}");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .expect("content-length")
            .parse()
            .expect("number");
        assert_eq!(len, body.len());
        s.stop();
    }

    #[test]
    fn bad_requests_get_clear_statuses() {
        let (s, _, _) = server();
        let addr = s.local_addr();
        assert_eq!(get(addr, "/nope").0, 404);
        assert_eq!(exchange(addr, b"POST /metrics HTTP/1.1\r\n\r\n").0, 405);
        assert_eq!(exchange(addr, b"garbage\r\n\r\n").0, 400);
        let (status, head, body) = exchange(addr, b"HEAD /healthz HTTP/1.0\r\n\r\n");
        assert_eq!(status, 200);
        assert!(head.contains("Content-Length: 3"), "{head}");
        assert!(body.is_empty());
    }

    #[test]
    fn oversized_request_head_is_refused() {
        let (s, _, _) = server();
        let mut req = b"GET /metrics HTTP/1.1\r\nX-Pad: ".to_vec();
        req.extend(std::iter::repeat_n(b'a', MAX_REQUEST_BYTES * 2));
        req.extend_from_slice(b"\r\n\r\n");
        // The server stops reading at the limit and answers 431 (Request
        // Header Fields Too Large); the rest of our write may then fail with
        // a reset, which is fine.
        let mut c = TcpStream::connect(s.local_addr()).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let _ = c.write_all(&req);
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 431"), "{text}");
    }

    #[test]
    fn bad_listen_address_names_the_key() {
        let m = Metrics::new();
        let e = AdminServer::start("not an address", m.clone(), Readiness::new(None))
            .expect_err("bad address");
        assert!(e.to_string().starts_with("metrics.listen:"), "{e}");

        let s = AdminServer::start("127.0.0.1:0", m.clone(), Readiness::new(None)).expect("start");
        let taken = s.local_addr().to_string();
        let e = AdminServer::start(&taken, m, Readiness::new(None)).expect_err("port taken");
        assert!(e.to_string().contains(&taken), "{e}");
    }

    #[test]
    fn stop_releases_the_port() {
        let (s, _, _) = server();
        let addr = s.local_addr();
        // A client in the middle of its request does not hold stop up
        // beyond the drain time, and is closed.
        let mut held = TcpStream::connect(addr).expect("connect");
        held.write_all(b"GET /metr").expect("send");
        std::thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        s.stop();
        let took = t.elapsed();
        assert!(
            took < DRAIN_TIMEOUT + Duration::from_secs(2),
            "stop took {took:?}"
        );
        assert!(
            closed_within(&held, Duration::from_secs(2)),
            "held connection still open"
        );
        // Nothing accepts any more: connecting fails or the connection is
        // closed without an answer.
        if let Ok(mut c) = TcpStream::connect(addr) {
            c.set_read_timeout(Some(Duration::from_secs(2)))
                .expect("timeout");
            let _ = c.write_all(b"GET /healthz HTTP/1.1\r\n\r\n");
            let mut out = Vec::new();
            let _ = c.read_to_end(&mut out);
            assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
        }
        // And the port can be bound again.
        TcpListener::bind(addr).expect("port released");
    }

    /// Issue 13 item 5: 16 clients trickle a request one byte every 200 ms
    /// and never finish; `/healthz` still answers in under a second, and the
    /// whole-request deadline closes the tricklers.
    #[test]
    fn healthz_answers_under_a_second_while_16_clients_trickle() {
        let (s, _, _) = server();
        let addr = s.local_addr();
        let started = Instant::now();
        let tricklers: Vec<_> = (0..16)
            .map(|_| trickle(addr, Duration::from_millis(200), Duration::from_secs(20)))
            .collect();
        // Probe while all 16 are mid-request (well inside the deadline).
        std::thread::sleep(Duration::from_secs(1));
        let mut worst = Duration::ZERO;
        for _ in 0..10 {
            let t = Instant::now();
            let (status, _, body) = get(addr, "/healthz");
            worst = worst.max(t.elapsed());
            assert_eq!((status, body.as_str()), (200, "ok\n"));
            std::thread::sleep(Duration::from_millis(100));
        }
        let probed_until = started.elapsed();
        eprintln!(
            "[admin] /healthz with 16 trickling clients: worst of 10 probes {:.2} ms",
            worst.as_secs_f64() * 1e3
        );
        assert!(worst < Duration::from_secs(1), "/healthz took {worst:?}");
        for t in tricklers {
            let end = t.join().expect("trickler thread");
            let closed = end
                .closed_after
                .unwrap_or_else(|| panic!("trickler still open after 20 s: {end:?}"));
            assert!(
                closed > probed_until,
                "trickler closed at {closed:?}, before the probes ended at {probed_until:?}"
            );
            // Closed by the deadline: not before it, and not long after.
            assert!(
                closed >= REQUEST_TIMEOUT - Duration::from_millis(500)
                    && closed < REQUEST_TIMEOUT + Duration::from_secs(5),
                "trickler closed after {closed:?}, deadline {REQUEST_TIMEOUT:?}"
            );
            assert_eq!(end.answered, 0, "{end:?}");
        }
        s.stop();
    }

    /// At the connection limit a new connection closes the oldest one: it
    /// is answered, and the server never holds more than the limit.
    #[test]
    fn at_the_connection_limit_the_oldest_connection_is_closed() {
        let metrics = Metrics::new();
        let limits = Limits {
            connections: 4,
            // Far beyond the test, so that only the limit closes anything.
            request_timeout: Duration::from_secs(120),
        };
        let s = AdminServer::start_with("127.0.0.1:0", metrics, Readiness::new(None), limits)
            .expect("start");
        let addr = s.local_addr();
        let held: Vec<TcpStream> = (0..4).map(|_| idle(addr)).collect();
        for c in &held {
            assert!(
                !closed_within(c, Duration::from_millis(200)),
                "closed below the limit"
            );
        }

        // A fifth connection, a probe: answered at once, and the oldest held
        // one is closed for it.
        let t = Instant::now();
        assert_eq!(get(addr, "/healthz").0, 200);
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        assert!(
            closed_within(&held[0], Duration::from_secs(2)),
            "oldest still open"
        );
        for c in &held[1..] {
            assert!(
                !closed_within(c, Duration::from_millis(200)),
                "a newer one was closed"
            );
        }

        // The probe gave its permit back: one more fits with nobody closed...
        let fifth = idle(addr);
        for c in held[1..].iter().chain([&fifth]) {
            assert!(
                !closed_within(c, Duration::from_millis(200)),
                "closed at the limit"
            );
        }
        // ...and the next one closes the oldest again.
        let _sixth = idle(addr);
        assert!(
            closed_within(&held[1], Duration::from_secs(2)),
            "second oldest still open"
        );
        for c in held[2..].iter().chain([&fifth]) {
            assert!(
                !closed_within(c, Duration::from_millis(200)),
                "a newer one was closed"
            );
        }
        s.stop();
    }
}
