//! RDS: Aurora clusters and instances, subnet and parameter groups, global clusters.

use serde_json::json;

use super::{Attributes, IdContext, global_endpoint, upper};

/// The physical id of an `AWS::RDS::<resource>` (its identifier or name), or `None` for a
/// resource type the simulator does not model.
pub(super) fn create(resource: &str, ctx: &IdContext<'_>, a: &mut Attributes) -> Option<String> {
    Some(match resource {
        "DBCluster" => db_cluster(ctx, a),
        "DBInstance" => db_instance(ctx, a),
        "DBSubnetGroup" => {
            let name = ctx
                .prop("DBSubnetGroupName")
                .unwrap_or_else(|| ctx.generated_name(255))
                .to_lowercase();
            a.put(
                "DBSubnetGroupArn",
                json!(ctx.arn("rds", &format!("subgrp:{name}"))),
            );
            name
        }
        "DBClusterParameterGroup" => ctx
            .prop("DBClusterParameterGroupName")
            .unwrap_or_else(|| ctx.generated_name(255))
            .to_lowercase(),
        "GlobalCluster" => {
            let id = ctx
                .prop("GlobalClusterIdentifier")
                .unwrap_or_else(|| ctx.generated_name(63))
                .to_lowercase();
            // `<id>.global-<random>.global.rds.amazonaws.com` ("Connecting to Amazon Aurora
            // Global Database",
            // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html>).
            a.put(
                "GlobalEndpoint.Address",
                json!(global_endpoint(&id, ctx.account)),
            );
            id
        }
        _ => return None,
    })
}

fn db_cluster(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let region = ctx.region.code();
    // RDS lower-cases identifiers.
    let id = ctx
        .prop("DBClusterIdentifier")
        .unwrap_or_else(|| ctx.generated_name(63))
        .to_lowercase();
    let tok = ctx.account_region_token(12);
    let port = ctx.prop("Port").unwrap_or_else(|| {
        if ctx.prop("Engine").is_some_and(|e| e.contains("postgres")) {
            "5432".into()
        } else {
            "3306".into()
        }
    });
    a.put(
        "DBClusterArn",
        json!(ctx.arn("rds", &format!("cluster:{id}"))),
    );
    a.put(
        "DBClusterResourceId",
        json!(format!("cluster-{}", upper(&ctx.seed("crid"), 26))),
    );
    a.put(
        "Endpoint.Address",
        json!(format!("{id}.cluster-{tok}.{region}.rds.amazonaws.com")),
    );
    a.put("Endpoint.Port", json!(port));
    a.put(
        "ReadEndpoint.Address",
        json!(format!("{id}.cluster-ro-{tok}.{region}.rds.amazonaws.com")),
    );
    a.put("StorageThroughput", json!(0));
    a.put(
        "StorageEncryptionType",
        json!(
            if ctx.properties.get("StorageEncrypted") == Some(&json!(true)) {
                "sse-kms"
            } else {
                "none"
            }
        ),
    );
    id
}

fn db_instance(ctx: &IdContext<'_>, a: &mut Attributes) -> String {
    let region = ctx.region.code();
    let id = ctx
        .prop("DBInstanceIdentifier")
        .unwrap_or_else(|| ctx.generated_name(63))
        .to_lowercase();
    let tok = ctx.account_region_token(12);
    a.put("DBInstanceArn", json!(ctx.arn("rds", &format!("db:{id}"))));
    a.put(
        "DbiResourceId",
        json!(format!("db-{}", upper(&ctx.seed("dbi"), 26))),
    );
    a.put(
        "Endpoint.Address",
        json!(format!("{id}.{tok}.{region}.rds.amazonaws.com")),
    );
    a.put("Endpoint.Port", json!("3306"));
    a.put(
        "Endpoint.HostedZoneId",
        json!(format!("Z{}", upper(&format!("rdszone/{region}"), 13))),
    );
    a.put("DBInstanceStatus", json!("available"));
    id
}
