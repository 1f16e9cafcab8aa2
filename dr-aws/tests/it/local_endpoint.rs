//! The aws backend against a local HTTP endpoint that behaves as an impaired Region does:
//! accepting connections and never answering, or answering every request with HTTP 500. These
//! run the production configuration (`AwsCloud`'s own clients: the real HTTP client, the SDK's
//! standard retries and drkit's timeouts), which the mock tests in `src/tests.rs` replace.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dr_aws::{AwsCloud, AwsOptions, AwsTimeouts};
use dr_core::Region;
use dr_core::cloud::{Cloud, CloudErrorKind};

/// What the endpoint does with each request.
#[derive(Clone)]
enum Answer {
    /// Read the request, then hold the connection open without a byte of answer until the
    /// client gives up.
    Never,
    /// Answer every request with this status and body.
    Always(u16, String),
}

/// A loopback HTTP endpoint served by a thread per connection.
struct Endpoint {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    fn serve(answer: Answer) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (answer, seen) = (answer.clone(), seen.clone());
                std::thread::spawn(move || handle(stream, &answer, &seen));
            }
        });
        Endpoint {
            url,
            connections,
            requests,
        }
    }

    fn cloud(&self, timeouts: AwsTimeouts) -> AwsCloud {
        AwsCloud::with_static_credentials(
            AwsOptions {
                endpoint_url: Some(self.url.clone()),
                timeouts,
                ..AwsOptions::default()
            },
            "testing",
            "testing",
        )
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn handle(mut stream: TcpStream, answer: &Answer, seen: &Mutex<Vec<String>>) {
    let Some(body) = read_request(&mut stream) else {
        return;
    };
    seen.lock().unwrap().push(body);
    match answer {
        Answer::Never => {
            // Until the client closes the connection (its timeout), or the test process ends.
            let mut buf = [0u8; 1024];
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        }
        Answer::Always(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} Answer\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    }
}

/// One HTTP/1.1 request with a `Content-Length` body (the Query protocol's form), its body
/// returned; `None` when the client closes first.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
    Some(String::from_utf8_lossy(&data[head_end..head_end + length]).into_owned())
}

/// A Region whose endpoint accepts connections and never answers: without an attempt or
/// operation timeout the call would hang the deploy's wave; with them it fails as the Region
/// not answering, and the attempt timeout lets the SDK retry first. The time bound is a hang
/// check, far above the 3 s operation timeout, not a measure of speed.
#[tokio::test]
async fn a_region_that_never_answers_is_unavailable_within_the_timeouts() {
    let endpoint = Endpoint::serve(Answer::Never);
    let cloud = endpoint.cloud(AwsTimeouts {
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(300),
        operation: Duration::from_secs(3),
    });
    let started = Instant::now();
    // Without drkit's timeouts the call never returns: bound it so that is a failure.
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        cloud.describe_stack(Region::UsEast2, "shop-primary"),
    )
    .await
    .expect("the call hung: no attempt or operation timeout")
    .unwrap_err();
    eprintln!("after {:?}: {err}", started.elapsed());
    assert_eq!(
        err.kind(),
        &CloudErrorKind::RegionUnavailable {
            region: Region::UsEast2
        },
        "{err}"
    );
    assert_eq!(err.operation(), "DescribeStacks");
    assert!(err.is_region_outage() && err.is_retryable());
    assert!(err.message().contains("timeout"), "{err}");
    // Only the attempt timeout ends the first attempt early enough for a second one.
    let connections = endpoint.connections.load(Ordering::SeqCst);
    assert!(connections >= 2, "{connections} connection(s): no retry");
    assert!(
        endpoint.requests()[0].contains("Action=DescribeStacks"),
        "{:?}",
        endpoint.requests()
    );
}

/// A Region answering only `InternalFailure` (HTTP 500, "Common Errors",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html>): the
/// production clients retry it (3 attempts, the standard retry mode of the SDK's latest
/// behavior version), then it is a `ServerError`, the Region not answering. The mock test
/// `server_errors_beyond_the_retries_are_the_region_not_answering` checks the mapping with a
/// retry configuration of its own; this one checks the retries the backend really configures.
#[tokio::test]
async fn a_region_answering_only_http_500_is_a_server_error_after_the_production_retries() {
    let body = r#"<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>The request processing has failed because of an unknown error, exception or failure.</Message></Error><RequestId>r</RequestId></ErrorResponse>"#;
    let endpoint = Endpoint::serve(Answer::Always(500, body.into()));
    let cloud = endpoint.cloud(AwsTimeouts::default());
    let err = tokio::time::timeout(
        Duration::from_secs(60),
        cloud.describe_stack(Region::UsWest2, "shop-secondary"),
    )
    .await
    .expect("the call hung")
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &CloudErrorKind::ServerError {
            region: Region::UsWest2,
            status: 500
        },
        "{err}"
    );
    assert!(err.is_region_outage());
    assert!(err.message().starts_with("InternalFailure: "), "{err}");
    assert_eq!(endpoint.requests().len(), 3, "the SDK's 3 attempts");
}
