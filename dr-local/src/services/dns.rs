//! DNS as a client outside AWS sees it: the addresses the simulated world's names resolve to
//! (`Cloud::resolve_addresses`), and Route 53's `TestDNSAnswer`.
//!
//! The simulator runs no machines, so it mints addresses: stable (derived from a hash of the
//! name, the same in every run) and in the IPv4 documentation ranges ("IPv4 Address Blocks
//! Reserved for Documentation", RFC 5737, <https://www.rfc-editor.org/rfc/rfc5737>), so none
//! can be mistaken for a real host: two per load balancer DNS name in 198.51.100.0/24 and one
//! per DB cluster endpoint (writer or reader) in 203.0.113.0/24. How many addresses a real
//! load balancer answers with varies (one per node); two is the simulator's choice.
//! Load balancers and databases never share an address; two names of one kind may, with a
//! chance of about 1 in 254 per pair (the ranges hold 254 hosts).

use std::collections::BTreeSet;

use dr_core::Region;
use dr_core::cloud::DnsAnswer;

use super::route53::{self, find_alb, resolve_in, zone_is_private};
use super::zone_exists;
use crate::LocalError;
use crate::ids::fnv;
use crate::state::World;

/// How many CNAME or alias hops a name is followed through (a loop ends there).
const MAX_HOPS: u8 = 8;

fn host(prefix: &str, seed: &str, avoid: Option<u8>) -> (u8, String) {
    let mut h = (fnv(seed) % 254) as u8 + 1;
    if Some(h) == avoid {
        h = h % 254 + 1;
    }
    (h, format!("{prefix}.{h}"))
}

/// The two addresses of the load balancer whose DNS name is `dns` (normalized).
fn load_balancer_addresses(dns: &str) -> Vec<String> {
    let (first, a) = host("198.51.100", &format!("lb/{dns}/0"), None);
    let (_, b) = host("198.51.100", &format!("lb/{dns}/1"), Some(first));
    vec![a, b]
}

/// The address of the DB cluster endpoint `endpoint` (normalized).
fn db_endpoint_address(endpoint: &str) -> String {
    host("203.0.113", &format!("rds/{endpoint}"), None).1
}

fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `zone` is a public hosted zone the account has.
fn public_zone(w: &World, zone: &str) -> bool {
    zone_exists(w, zone) && !zone_is_private(w, zone)
}

/// The addresses `name` resolves to from this machine now, sorted and deduplicated; none for a
/// name the world does not know. `unavailable` matters only to failover routing (a load
/// balancer in a Region that is down counts unhealthy for an alias that evaluates it), never to
/// the answer itself: DNS is Route 53's data plane, served whatever Region is down.
pub fn addresses(w: &World, name: &str, unavailable: &BTreeSet<Region>) -> Vec<String> {
    let mut out = lookup(w, &normalize(name), unavailable, 0);
    out.sort();
    out.dedup();
    out
}

fn lookup(w: &World, name: &str, unavailable: &BTreeSet<Region>, hops: u8) -> Vec<String> {
    if hops >= MAX_HOPS || name.is_empty() {
        return vec![];
    }
    // The global writer endpoint is a CNAME to the writer cluster's endpoint, and follows the
    // writer once a switchover or failover completes ("Connecting to Amazon Aurora Global
    // Database",
    // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html>).
    if let Some(g) = w
        .global_clusters
        .values()
        .find(|g| g.endpoint.eq_ignore_ascii_case(name))
    {
        let writer_endpoint = g.members.iter().find(|m| m.is_writer).and_then(|m| {
            w.regions
                .get(&m.region)?
                .db_clusters
                .values()
                .find(|c| c.arn == m.cluster_arn)
                .map(|c| c.endpoint.clone())
        });
        return writer_endpoint
            .map(|e| lookup(w, &normalize(&e), unavailable, hops + 1))
            .unwrap_or_default();
    }
    if find_alb(w, name).is_some() {
        return load_balancer_addresses(&normalize(name.trim_start_matches("dualstack.")));
    }
    let is_db_endpoint = w.regions.values().any(|rs| {
        rs.db_clusters.values().any(|c| {
            c.endpoint.eq_ignore_ascii_case(name) || c.reader_endpoint.eq_ignore_ascii_case(name)
        })
    });
    if is_db_endpoint {
        return vec![db_endpoint_address(name)];
    }
    // A name in a public hosted zone: the record failover routing chooses ("How Amazon Route
    // 53 chooses records when health checking is configured", see `route53`), then its
    // target. A private zone answers only inside its VPCs, never this machine's resolver.
    let public = |z: &str| public_zone(w, z);
    if let Some(r) = resolve_in(w, name, "A", unavailable, &public) {
        return match &r.alias_target {
            Some(a) => lookup(w, &normalize(&a.dns_name), unavailable, hops + 1),
            None => r.records.clone(),
        };
    }
    if let Some(r) = resolve_in(w, name, "CNAME", unavailable, &public) {
        return r
            .records
            .iter()
            .flat_map(|t| lookup(w, &normalize(t), unavailable, hops + 1))
            .collect();
    }
    vec![]
}

/// `TestDNSAnswer` for `record_name`/`record_type` in hosted zone `zone_id` ("TestDNSAnswer",
/// Amazon Route 53 API Reference,
/// <https://docs.aws.amazon.com/Route53/latest/APIReference/API_TestDNSAnswer.html>): "This call
/// only supports querying public hosted zones." The record is the one failover routing chooses
/// now, as [`route53::resolve`] chooses it; an alias answers with its target's addresses (a
/// load balancer's, the same [`addresses`] gives). A name the zone does not hold answers
/// `NXDOMAIN`; a name it holds with no record of that type, `NOERROR` with no data (DNS's
/// name error and "NODATA" answers, "Negative Caching of DNS Queries", RFC 2308,
/// <https://www.rfc-editor.org/rfc/rfc2308>).
///
/// Errors: `NoSuchHostedZone` for a zone the account does not have ([`route53::no_such_zone`]).
/// For a private zone, what Route 53 answers was not found (the reference lists only
/// `InvalidInput` and `NoSuchHostedZone` for the call); the simulator answers `InvalidInput`
/// with a message of its own.
pub fn test_dns_answer(
    w: &World,
    zone_id: &str,
    record_name: &str,
    record_type: &str,
    unavailable: &BTreeSet<Region>,
) -> Result<DnsAnswer, LocalError> {
    let zone = zone_id.trim_start_matches("/hostedzone/");
    if !zone_exists(w, zone) {
        return Err(LocalError::NotFound(route53::no_such_zone(zone)));
    }
    if zone_is_private(w, zone) {
        return Err(LocalError::Validation(format!(
            "InvalidInput: TestDNSAnswer supports public hosted zones only; {zone} is a private hosted zone."
        )));
    }
    let in_zone = |z: &str| z == zone;
    let answer = |record_data: Vec<String>, code: &str| DnsAnswer {
        record_name: record_name.to_string(),
        record_type: record_type.to_string(),
        record_data,
        response_code: code.to_string(),
    };
    if let Some(r) = resolve_in(w, record_name, record_type, unavailable, &in_zone) {
        let data = match &r.alias_target {
            Some(a) => addresses(w, &a.dns_name, unavailable),
            None => r.records.clone(),
        };
        return Ok(answer(data, "NOERROR"));
    }
    let wanted = {
        let mut n = record_name.to_ascii_lowercase();
        if !n.ends_with('.') {
            n.push('.');
        }
        n
    };
    let held = w
        .records
        .get(zone)
        .is_some_and(|recs| recs.iter().any(|r| r.name.eq_ignore_ascii_case(&wanted)));
    Ok(answer(vec![], if held { "NOERROR" } else { "NXDOMAIN" }))
}
