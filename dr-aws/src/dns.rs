//! DNS from this machine: `Cloud::resolve_addresses`, through the operating system's resolver
//! (`tokio::net::lookup_host`, which runs `getaddrinfo` on a blocking thread). No AWS API call.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use dr_core::cloud::{CloudError, CloudResult};

/// How long one lookup may take before it fails: 10 s, enough for the resolver's own retries
/// (glibc's default is 5 s per attempt, `timeout:5` in resolv.conf(5)) of one server, while a
/// resolver that never answers cannot hold the runtime.
pub(crate) const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The name of the operation in errors.
const OP: &str = "DNS lookup";

/// The addresses `name` resolves to, sorted and deduplicated; none when the name does not
/// exist or has no address.
pub(crate) async fn resolve_addresses(name: &str) -> CloudResult<Vec<String>> {
    resolve_with(name, LOOKUP_TIMEOUT, tokio::net::lookup_host((name, 0))).await
}

/// [`resolve_addresses`] over any lookup, with `timeout` (tests give a lookup that hangs).
pub(crate) async fn resolve_with<I>(
    name: &str,
    timeout: Duration,
    lookup: impl Future<Output = std::io::Result<I>>,
) -> CloudResult<Vec<String>>
where
    I: Iterator<Item = SocketAddr>,
{
    match tokio::time::timeout(timeout, lookup).await {
        Err(_) => Err(CloudError::other(
            OP,
            format!(
                "could not resolve {name}: the resolver did not answer within {} s",
                timeout.as_secs()
            ),
        )),
        Ok(Ok(addrs)) => Ok(addrs
            .map(|a| a.ip().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()),
        Ok(Err(e)) if no_such_name(&e.to_string()) => Ok(vec![]),
        Ok(Err(e)) => Err(CloudError::other(
            OP,
            format!("could not resolve {name}: {e}"),
        )),
    }
}

/// Whether a failed lookup's error says the name does not exist (NXDOMAIN) or has no address,
/// rather than that the resolver could not be asked. Rust's standard library reports
/// `getaddrinfo`'s error by its `gai_strerror` text only ("failed to lookup address
/// information: ..."; std `sys/net` `LookupHost`), so the texts are matched: `EAI_NONAME`
/// ("Name or service not known" in glibc, "nodename nor servname provided, or not known" on
/// macOS and the BSDs) and `EAI_NODATA` ("No address associated with hostname", glibc), from
/// getaddrinfo(3). `EAI_AGAIN` ("Temporary failure in name resolution") and anything else is an
/// error.
pub(crate) fn no_such_name(error: &str) -> bool {
    [
        "Name or service not known",
        "nodename nor servname provided, or not known",
        "No address associated with hostname",
    ]
    .iter()
    .any(|t| error.contains(t))
}
