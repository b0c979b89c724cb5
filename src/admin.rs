//! The admin HTTP server: `/metrics`, `/healthz` and `/readyz` on one port
//! (`metrics.listen`, default `0.0.0.0:9464`).
//!
//! Three read-only endpoints answered from memory do not need an async
//! runtime or an HTTP framework: a `std::net::TcpListener` on its own thread
//! serves them, one short-lived thread per connection (at most
//! [`MAX_CONNECTIONS`] at once), each with read and write timeouts and a
//! bounded request head, so a slow or hostile client can neither block the
//! probes for long nor grow memory. Every response closes the connection.
//!
//! - `GET /metrics`: [`Metrics::render`], text format 0.0.4.
//! - `GET /healthz`: 200 while the process runs (the thread answers).
//! - `GET /readyz`: 200 while the [`Readiness`] latch is set, else 503.
//!
//! Anything else is 404 (unknown path), 405 (not GET/HEAD) or 400.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::metrics::{Metrics, CONTENT_TYPE};

/// Largest request head read (request line and headers); probes and
/// Prometheus send a few hundred bytes.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// Connections served at once; more are closed with 503 straight away.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a client may take to send its request or read the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the accept loop looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

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
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AdminServer {
    /// Binds `listen` (e.g. `0.0.0.0:9464`, or `127.0.0.1:0` for a free
    /// port) and serves on a background thread.
    pub fn start(
        listen: &str,
        metrics: Arc<Metrics>,
        ready: Arc<Readiness>,
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
        let listener = TcpListener::bind(&addrs[..]).map_err(bind_err)?;
        // Non-blocking accept so the loop can notice `stop` without a
        // wake-up connection (which would need a routable address).
        listener.set_nonblocking(true).map_err(bind_err)?;
        let addr = listener.local_addr().map_err(bind_err)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("redactd-admin".into())
            .spawn({
                let stop = stop.clone();
                move || accept_loop(listener, metrics, ready, stop)
            })
            .map_err(bind_err)?;
        Ok(AdminServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The bound address (the real port when `listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and waits for the accept thread to end (connections
    /// in flight finish on their own within the I/O timeout).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
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

fn accept_loop(
    listener: TcpListener,
    metrics: Arc<Metrics>,
    ready: Arc<Readiness>,
    stop: Arc<AtomicBool>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(POLL);
                continue;
            }
            // ECONNABORTED, EMFILE and friends: keep serving; back off a
            // little so a full fd table does not spin the thread.
            Err(_) => {
                std::thread::sleep(POLL);
                continue;
            }
        };
        if stream.set_nonblocking(false).is_err()
            || stream.set_read_timeout(Some(IO_TIMEOUT)).is_err()
            || stream.set_write_timeout(Some(IO_TIMEOUT)).is_err()
        {
            continue;
        }
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let mut stream = stream;
            let _ = respond(&mut stream, 503, "text/plain", b"busy\n", false);
            continue;
        }
        let (metrics, ready, done) = (metrics.clone(), ready.clone(), active.clone());
        let spawned = std::thread::Builder::new()
            .name("redactd-admin-conn".into())
            .spawn(move || {
                let mut stream = stream;
                serve(&mut stream, &metrics, &ready);
                done.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Reads one request head and answers it.
fn serve(stream: &mut TcpStream, metrics: &Metrics, ready: &Readiness) {
    let Some(head) = read_head(stream) else {
        let _ = respond(stream, 400, "text/plain", b"bad request\n", false);
        linger(stream);
        return;
    };
    let mut parts = head.split(|&b| b == b' ');
    let (method, target) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) if v.starts_with(b"HTTP/1.") => (m, t),
        _ => {
            let _ = respond(stream, 400, "text/plain", b"bad request\n", false);
            return;
        }
    };
    let head_only = match method {
        b"GET" => false,
        b"HEAD" => true,
        _ => {
            let _ = respond(stream, 405, "text/plain", b"method not allowed\n", false);
            return;
        }
    };
    let path = target.split(|&b| b == b'?').next().unwrap_or(target);
    let _ = match path {
        b"/metrics" => respond(
            stream,
            200,
            CONTENT_TYPE,
            metrics.render().as_bytes(),
            head_only,
        ),
        b"/healthz" => respond(stream, 200, "text/plain", b"ok\n", head_only),
        b"/readyz" if ready.is_ready() => respond(stream, 200, "text/plain", b"ready\n", head_only),
        b"/readyz" => respond(stream, 503, "text/plain", b"not ready\n", head_only),
        _ => respond(stream, 404, "text/plain", b"not found\n", head_only),
    };
}

/// The request line of a request whose head (up to the blank line) fits in
/// [`MAX_REQUEST_BYTES`]; `None` on timeout, overflow or early close.
fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) =
            memchr::memmem::find(&buf, b"\r\n\r\n").or_else(|| memchr::memmem::find(&buf, b"\n\n"))
        {
            let line_end = memchr::memchr(b'\n', &buf[..=end]).unwrap_or(end);
            let line = &buf[..line_end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            return Some(line.to_vec());
        }
        if buf.len() >= MAX_REQUEST_BYTES {
            return None;
        }
        let want = chunk.len().min(MAX_REQUEST_BYTES - buf.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Closes after an error answer without resetting the connection: a close
/// with unread input sends a TCP reset, which can destroy the answer before
/// the client reads it. Reads (and drops) a bounded amount of what is left.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut chunk = [0u8; 4096];
    let mut left = 16 * MAX_REQUEST_BYTES;
    while left > 0 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // The server stops reading at the limit and answers 400; the rest of
        // our write may then fail with a reset, which is fine.
        let mut c = TcpStream::connect(s.local_addr()).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let _ = c.write_all(&req);
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
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
        s.stop();
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
}
