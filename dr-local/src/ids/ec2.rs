//! EC2: VPC networking, key pairs and launch templates.

use serde_json::json;

use super::{Attributes, IdContext, aws_id, fnv, hex};

/// The physical id of an `AWS::EC2::<resource>`, or `None` for a resource type the simulator
/// does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "VPC" => vpc(ctx, a),
        "Subnet" => subnet(ctx, a),
        "SecurityGroup" => {
            let id = aws_id("sg", ctx);
            a.put("GroupId", json!(id));
            a.put("Id", json!(id));
            a.put("VpcId", json!(ctx.prop("VpcId").unwrap_or_default()));
            id
        }
        "SecurityGroupIngress" | "SecurityGroupEgress" => {
            let id = aws_id("sgr", ctx);
            a.put("Id", json!(id));
            id
        }
        "InternetGateway" => {
            let id = aws_id("igw", ctx);
            a.put("InternetGatewayId", json!(id));
            id
        }
        "VPCGatewayAttachment" => {
            // CloudFormation's physical id for an attachment is `IGW|<vpc id>`.
            a.put(
                "AttachmentType",
                json!(if ctx.properties.get("VpnGatewayId").is_some() {
                    "vgw"
                } else {
                    "igw"
                }),
            );
            format!("IGW|{}", ctx.prop("VpcId").unwrap_or_default())
        }
        "EIP" => elastic_ip(ctx, a),
        "NatGateway" => {
            let id = aws_id("nat", ctx);
            a.put("NatGatewayId", json!(id));
            a.put("EniId", json!(aws_id("eni", ctx)));
            id
        }
        "RouteTable" => {
            let id = aws_id("rtb", ctx);
            a.put("RouteTableId", json!(id));
            id
        }
        "Route" => {
            let dest = ctx
                .prop("DestinationCidrBlock")
                .unwrap_or_else(|| "0.0.0.0/0".into());
            a.put("CidrBlock", json!(dest));
            format!("{}|{dest}", ctx.prop("RouteTableId").unwrap_or_default())
        }
        "SubnetRouteTableAssociation" => {
            let id = aws_id("rtbassoc", ctx);
            a.put("Id", json!(id));
            id
        }
        "VPCPeeringConnection" => {
            let id = aws_id("pcx", ctx);
            a.put("Id", json!(id));
            id
        }
        "KeyPair" => key_pair(ctx, a),
        "LaunchTemplate" => {
            let id = aws_id("lt", ctx);
            a.put("LaunchTemplateId", json!(id));
            a.put("DefaultVersionNumber", json!("1"));
            a.put("LatestVersionNumber", json!("1"));
            id
        }
        _ => return None,
    })
}

fn vpc(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let id = aws_id("vpc", ctx);
    a.put("VpcId", json!(id));
    a.put(
        "CidrBlock",
        json!(
            ctx.prop("CidrBlock")
                .unwrap_or_else(|| "10.0.0.0/16".into())
        ),
    );
    a.put(
        "CidrBlockAssociations",
        json!([aws_id("vpc-cidr-assoc", ctx)]),
    );
    a.put("DefaultNetworkAcl", json!(aws_id("acl", ctx)));
    a.put("DefaultSecurityGroup", json!(aws_id("sg", ctx)));
    a.put("Ipv6CidrBlocks", json!([]));
    id
}

fn subnet(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let region = ctx.region.code();
    let id = aws_id("subnet", ctx);
    let az = ctx
        .prop("AvailabilityZone")
        .unwrap_or_else(|| format!("{region}a"));
    a.put("SubnetId", json!(id));
    a.put("AvailabilityZone", json!(az));
    // AZ ids (`use2-az1`) are per account; the letter's position is a fair stand-in.
    let short: String = region
        .split('-')
        .map(|p| p.chars().next().unwrap_or('x'))
        .collect::<String>();
    let n = az
        .chars()
        .last()
        .map_or(1, |c| (c as u32).saturating_sub('a' as u32) + 1);
    let digit = region.chars().last().unwrap_or('1');
    a.put("AvailabilityZoneId", json!(format!("{short}{digit}-az{n}")));
    a.put(
        "CidrBlock",
        json!(ctx.prop("CidrBlock").unwrap_or_default()),
    );
    a.put("NetworkAclAssociationId", json!(aws_id("aclassoc", ctx)));
    a.put("VpcId", json!(ctx.prop("VpcId").unwrap_or_default()));
    a.put("Ipv6CidrBlocks", json!([]));
    a.put("OutpostArn", json!(""));
    id
}

/// An Elastic IP's physical id is its address.
fn elastic_ip(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let h = fnv(&ctx.seed("eip"));
    let ip = format!(
        "3.{}.{}.{}",
        (h >> 8) & 255,
        (h >> 16) & 255,
        ((h >> 24) & 253) + 1
    );
    a.put("PublicIp", json!(ip));
    a.put("AllocationId", json!(aws_id("eipalloc", ctx)));
    ip
}

/// A key pair's physical id is its name.
fn key_pair(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let name = ctx
        .prop("KeyName")
        .unwrap_or_else(|| ctx.generated_name(255));
    a.put("KeyPairId", json!(aws_id("key", ctx)));
    let fp = hex(&ctx.seed("fp"), 40);
    a.put(
        "KeyFingerprint",
        json!(
            fp.as_bytes()
                .chunks(2)
                .map(|c| std::str::from_utf8(c).unwrap_or("00"))
                .collect::<Vec<_>>()
                .join(":")
        ),
    );
    name
}
