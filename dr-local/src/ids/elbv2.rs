//! Elastic Load Balancing v2: load balancers, target groups, listeners.

use serde_json::json;

use super::{Attributes, IdContext, digits, hex};

/// The physical id of an `AWS::ElasticLoadBalancingV2::<resource>` (its ARN), or `None` for
/// a resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "LoadBalancer" => load_balancer(ctx, a),
        "TargetGroup" => {
            let name = ctx.prop("Name").unwrap_or_else(|| ctx.generated_name(32));
            let full = format!("targetgroup/{name}/{}", hex(&ctx.seed("tg"), 16));
            let arn = ctx.arn("elasticloadbalancing", &full);
            a.put("TargetGroupArn", json!(arn));
            a.put("TargetGroupName", json!(name));
            a.put("TargetGroupFullName", json!(full));
            a.put("LoadBalancerArns", json!([]));
            arn
        }
        "Listener" => {
            let lb = ctx.prop("LoadBalancerArn").unwrap_or_default();
            let lb_part = lb
                .split_once("loadbalancer/")
                .map(|(_, r)| r.to_string())
                .unwrap_or_else(|| "app/unknown/0".into());
            let arn = ctx.arn(
                "elasticloadbalancing",
                &format!("listener/{lb_part}/{}", hex(&ctx.seed("listener"), 16)),
            );
            a.put("ListenerArn", json!(arn));
            arn
        }
        _ => return None,
    })
}

fn load_balancer(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let region = ctx.region.code();
    // Load balancer names are at most 32 characters.
    let name = ctx.prop("Name").unwrap_or_else(|| ctx.generated_name(32));
    let internal = ctx.prop("Scheme").as_deref() == Some("internal");
    let kind = if ctx.prop("Type").as_deref() == Some("network") {
        "net"
    } else {
        "app"
    };
    let lb_hex = hex(&ctx.seed("lb"), 16);
    let full = format!("{kind}/{name}/{lb_hex}");
    let arn = ctx.arn("elasticloadbalancing", &format!("loadbalancer/{full}"));
    // ALB DNS names: `<name>-<digits>.<region>.elb.amazonaws.com`, internal ones
    // prefixed `internal-` (ELB user guide, "DNS name").
    let dns = format!(
        "{}{name}-{}.{region}.elb.amazonaws.com",
        if internal { "internal-" } else { "" },
        digits(&ctx.seed("dns"), 10)
    );
    a.put("LoadBalancerArn", json!(arn));
    a.put("LoadBalancerName", json!(name));
    a.put("LoadBalancerFullName", json!(full));
    a.put("DNSName", json!(dns.to_lowercase()));
    a.put(
        "CanonicalHostedZoneID",
        json!(
            ctx.region
                .alb_hosted_zone_id()
                .unwrap_or("Z0000000000000000000")
        ),
    );
    a.put(
        "SecurityGroups",
        ctx.properties
            .get("SecurityGroups")
            .cloned()
            .unwrap_or(json!([])),
    );
    arn
}
