//! Route 53: hosted zones, record sets, health checks.

use serde_json::json;

use super::{Attributes, IdContext, fnv, upper, uuid};

/// The physical id of an `AWS::Route53::<resource>`, or `None` for a resource type the
/// simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "HostedZone" => hosted_zone(ctx, a),
        // A record set's physical id is its name.
        "RecordSet" => ctx.prop("Name").unwrap_or_default(),
        "HealthCheck" => {
            let id = uuid(&ctx.seed("hc"));
            a.put("HealthCheckId", json!(id));
            id
        }
        _ => return None,
    })
}

fn hosted_zone(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let id = format!("Z{}", upper(&ctx.seed("zone"), 20));
    a.put("Id", json!(id));
    let n = fnv(&ctx.seed("ns"));
    a.put(
        "NameServers",
        json!([
            format!("ns-{}.awsdns-{:02}.com", n % 512, n % 64),
            format!(
                "ns-{}.awsdns-{:02}.net",
                512 + (n >> 9) % 512,
                (n >> 9) % 64
            ),
            format!(
                "ns-{}.awsdns-{:02}.org",
                1024 + (n >> 18) % 512,
                (n >> 18) % 64
            ),
            format!(
                "ns-{}.awsdns-{:02}.co.uk",
                1536 + (n >> 27) % 512,
                (n >> 27) % 64
            ),
        ]),
    );
    id
}
