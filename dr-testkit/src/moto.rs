//! A moto server on a free loopback port.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::tools::{ToolError, find_tool, require_tool};

const TOOL: &str = "moto_server";
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `moto_server` bound to `127.0.0.1` on a free port.
///
/// The server runs under a small `sh` watchdog that reads its stdin: when this value is
/// dropped, or when the test process exits for any reason (even `SIGKILL`), the pipe closes
/// and the watchdog stops moto. So neither [`MotoServer::start`] nor [`MotoServer::shared`]
/// leaves a server behind.
#[derive(Debug)]
pub struct MotoServer {
    /// The endpoint URL to give AWS clients, e.g. `http://127.0.0.1:40123`.
    pub endpoint: String,
    /// The port it listens on.
    pub port: u16,
    /// The server's own log (stdout and stderr).
    pub log: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
}

impl MotoServer {
    /// The server shared by every test of this process, started on first use.
    ///
    /// `None` (after a loud `SKIPPED:` line) when moto is not installed and neither `CI` nor
    /// `DRKIT_REQUIRE_TOOLS` is set; with either set, a missing moto panics with the command
    /// that installs it. A moto that is installed but fails to start always panics.
    #[track_caller]
    pub fn shared() -> Option<&'static MotoServer> {
        static SHARED: OnceLock<Option<MotoServer>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                let exe = require_tool(TOOL)?;
                match Self::start_with(&exe) {
                    Ok(s) => Some(s),
                    Err(e) => panic!("{e}"),
                }
            })
            .as_ref()
    }

    /// Starts a new server owned by the caller; it is stopped when the value is dropped.
    pub fn start() -> Result<MotoServer, ToolError> {
        let exe = find_tool(TOOL).ok_or_else(|| ToolError::Missing { tool: TOOL.into() })?;
        Self::start_with(&exe)
    }

    fn start_with(exe: &Path) -> Result<MotoServer, ToolError> {
        // The free port is found by binding port 0 and releasing it; another process could take
        // it in between, so a server that exits before answering is retried on a new port.
        let mut last = None;
        for _ in 0..3 {
            match Self::try_start(exe) {
                Ok(s) => return Ok(s),
                Err(e @ ToolError::Failed { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| ToolError::Failed {
            tool: TOOL.into(),
            message: "could not start".into(),
        }))
    }

    fn try_start(exe: &Path) -> Result<MotoServer, ToolError> {
        let io = |source| ToolError::Io {
            tool: TOOL.into(),
            source,
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(io)?
            .port();
        let log =
            std::env::temp_dir().join(format!("drkit-moto-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).map_err(io)?;
        let log_err = log_file.try_clone().map_err(io)?;
        // Watchdog: moto runs in the background with stdin from /dev/null; `cat` waits for our
        // end of the pipe to close (drop or process exit), then moto is stopped and its log
        // removed (a shared server is never dropped, so the watchdog cleans up).
        let script = r#"log="$1"; exe="$2"; shift 2; "$exe" "$@" </dev/null & pid=$!
cat >/dev/null
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f "$log"
exit 0"#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("drkit-moto-watchdog")
            .arg(&log)
            .arg(exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(io)?;
        let stdin = child.stdin.take();
        let mut server = MotoServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            log,
            child,
            stdin,
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if http_answers(addr) {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(server.failure(format!("exited before answering ({status})")));
            }
            if Instant::now() >= deadline {
                return Err(server.failure(format!(
                    "did not answer HTTP on {} within {}s",
                    server.endpoint,
                    READY_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn failure(&mut self, what: String) -> ToolError {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        self.stop();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        ToolError::Failed {
            tool: TOOL.into(),
            message: format!(
                "{what}; last lines of {}:\n{}",
                self.log.display(),
                tail.join("\n")
            ),
        }
    }

    fn stop(&mut self) {
        // Closing the watchdog's stdin stops moto; then reap the watchdog.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Whether something on `addr` answers a plain HTTP GET with an HTTP status line.
fn http_answers(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
    let req = format!(
        "GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).is_ok() && &buf == b"HTTP/"
}
