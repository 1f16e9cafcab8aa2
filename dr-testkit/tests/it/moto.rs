//! The moto server starts on a free loopback port, answers, and stops.

use std::io::{Read, Write};
use std::net::TcpStream;

use dr_testkit::{MotoServer, require_tool};

fn get(endpoint: &str, path: &str) -> String {
    let addr = endpoint.strip_prefix("http://").unwrap();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "only loopback is a target: {addr}"
    );
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn shared_server_answers_and_is_shared() {
    let Some(moto) = MotoServer::shared() else {
        return;
    };
    assert!(
        moto.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        moto.endpoint
    );
    let resp = get(&moto.endpoint, "/moto-api/data.json");
    assert!(
        resp.starts_with("HTTP/1.") && resp.contains(" 200 "),
        "{resp}"
    );
    let again = MotoServer::shared().unwrap();
    assert_eq!(again.endpoint, moto.endpoint);
}

#[test]
fn owned_server_stops_on_drop() {
    if require_tool("moto_server").is_none() {
        return;
    }
    let moto = MotoServer::start().unwrap();
    let port = moto.port;
    let resp = get(&moto.endpoint, "/moto-api/data.json");
    assert!(resp.contains(" 200 "), "{resp}");
    drop(moto);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "moto still listening on {port} after drop"
    );
}
