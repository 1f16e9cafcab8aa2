//! EKS: clusters and managed node groups.

use serde_json::json;

use super::{Attributes, IdContext, aws_id, lower, upper, uuid};

/// The physical id of an `AWS::EKS::<resource>`, or `None` for a resource type the simulator
/// does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "Cluster" => cluster(ctx, a),
        "Nodegroup" => {
            let cluster = ctx.prop("ClusterName").unwrap_or_default();
            let ng = ctx
                .prop("NodegroupName")
                .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("ng"), 12)));
            a.put(
                "Arn",
                json!(ctx.arn(
                    "eks",
                    &format!("nodegroup/{cluster}/{ng}/{}", uuid(&ctx.seed("ngid")))
                )),
            );
            a.put("Id", json!(format!("{cluster}/{ng}")));
            a.put("ClusterName", json!(cluster));
            a.put("NodegroupName", json!(ng));
            format!("{cluster}/{ng}")
        }
        _ => return None,
    })
}

fn cluster(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let region = ctx.region.code();
    let name = ctx
        .prop("Name")
        .unwrap_or_else(|| format!("{}-{}", ctx.logical_id, lower(&ctx.seed("eks"), 16)));
    let h = upper(&ctx.seed("eksep"), 32);
    a.put("Arn", json!(ctx.arn("eks", &format!("cluster/{name}"))));
    a.put("Id", json!(uuid(&ctx.seed("eksid"))));
    a.put(
        "Endpoint",
        json!(format!("https://{h}.gr7.{region}.eks.amazonaws.com")),
    );
    a.put(
        "CertificateAuthorityData",
        json!(crate::eval::base64(
            format!("-----BEGIN CERTIFICATE-----\nsimulated {name}\n-----END CERTIFICATE-----\n")
                .as_bytes()
        )),
    );
    a.put("ClusterSecurityGroupId", json!(aws_id("sg", ctx)));
    a.put(
        "OpenIdConnectIssuerUrl",
        json!(format!("https://oidc.eks.{region}.amazonaws.com/id/{h}")),
    );
    // The key of the first (the only) encryption config, as given: "Amazon Resource Name (ARN)
    // or alias of the customer master key (CMK)" (`EncryptionConfigKeyArn` in the vendored
    // schema, dr-core/schemas/aws-eks-cluster.json); empty without one.
    let key = ctx
        .properties
        .pointer("/EncryptionConfig/0/Provider/KeyArn")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    a.put("EncryptionConfigKeyArn", json!(key));
    a.put("KubernetesNetworkConfig.ServiceIpv6Cidr", json!(""));
    name
}
