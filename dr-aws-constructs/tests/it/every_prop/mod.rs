//! One slip per prop: every prop of the five L2 constructs, `DrPair` and their nested props
//! gets a wrong value (a bad format, an out-of-range number, an unknown enumeration value,
//! the other Region's ARN) in an otherwise valid app, and synthesis must report exactly one
//! error, on the construct path and the prop the user wrote. [`every_prop_has_a_row`] fails
//! when a prop is added without a row here, which is how a new prop gets its check.
//!
//! The rows live beside the construct they slip: `vpc.rs`, `ec2_fleet.rs`, `alb.rs`,
//! `eks.rs`, `rds.rs` (a standalone cluster, for the props a `DrPair` sets itself) and
//! `dr_pair.rs`.

mod alb;
mod dr_pair;
mod ec2_fleet;
mod eks;
mod rds;
mod vpc;

use std::collections::BTreeSet;

use dr_aws_constructs::*;
use dr_core::facts::rds::AuroraEngine;
use dr_core::{App, Diagnostic, Region, Stack, StackProps};

pub const CERT_EAST: &str =
    "arn:aws:acm:us-east-2:123456789012:certificate/11111111-1111-1111-1111-111111111111";
pub const CERT_WEST: &str =
    "arn:aws:acm:us-west-2:123456789012:certificate/22222222-2222-2222-2222-222222222222";

/// Every prop of the pair and of the constructs its closure builds, written out (none left
/// to its default), so that a row can slip any one of them. Per-site values are pairs
/// (primary, secondary) given to `site.pick`.
#[derive(Clone)]
pub struct Knobs {
    pub pair: DrPairProps,
    pub vpc: VpcProps,
    pub vpc_cidrs: (String, String),
    pub fleet_instance_type: String,
    pub fleet_ami: (Ami, Ami),
    pub fleet_key_pair: KeyPair,
    pub fleet_instance_role: InstanceRole,
    pub fleet_user_data: Option<String>,
    pub fleet_app_port: u16,
    pub fleet_min_size: Option<u32>,
    pub fleet_desired_capacity: Option<u32>,
    pub fleet_max_size: Option<u32>,
    pub fleet_root_volume_gib: u32,
    pub fleet_health_check: FleetHealthCheck,
    pub fleet_health_check_grace_period_secs: u32,
    pub fleet_update_policy: FleetUpdatePolicy,
    pub alb_certificate_arn: (Option<String>, Option<String>),
    pub alb_protocol_version: ProtocolVersion,
    pub alb_target_port: u16,
    pub alb_health_check_path: Option<String>,
    pub alb_ssl_policy: String,
    pub alb_allow_legacy_tls: bool,
    pub alb_deletion_protection: bool,
    pub alb_drop_invalid_header_fields: bool,
    pub alb_access_logs: (AccessLogs, AccessLogs),
    pub alb_access_log_prefix: Option<String>,
    pub alb_access_log_retention_days: u32,
    pub eks_version: String,
    pub eks_public_access_cidrs: Vec<String>,
    pub eks_node_instance_type: String,
    pub eks_node_ami_type: String,
    pub eks_node_min_size: u32,
    pub eks_node_desired_size: u32,
    pub eks_node_max_size: u32,
    pub eks_log_types: Vec<String>,
    /// (primary, secondary): a key is of one Region.
    pub eks_secrets_encryption: (SecretsEncryption, SecretsEncryption),
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            pair: DrPairProps::builder()
                .primary(Site::new(
                    Region::UsEast2,
                    ["us-east-2a", "us-east-2b", "us-east-2c"],
                ))
                .secondary(Site::new(
                    Region::UsWest2,
                    ["us-west-2a", "us-west-2b", "us-west-2c"],
                ))
                .domain("shop.example.com")
                .hosted_zone(HostedZoneRef::existing(
                    "Z0123456789ABCDEFGHIJ",
                    "example.com",
                ))
                .internal_zone("shop.internal")
                .database(
                    DatabaseProps::builder()
                        .engine(AuroraEngine::MySql)
                        .engine_version(AuroraEngine::MySql.default_version())
                        .instance_class("db.r6g.large")
                        .instances_per_site(2)
                        .database_name("grafana")
                        .master_username("dbadmin")
                        .backup_retention_days(7)
                        .deletion_protection(true)
                        .build(),
                )
                .db_cname_ttl_secs(30)
                .alarm_email("ops@example.com")
                .build(),
            vpc: VpcProps::builder()
                .az_count(3)
                .nat_gateways(NatGateways::PerAz)
                .subnet_prefix(19)
                .build(),
            vpc_cidrs: ("10.10.0.0/16".into(), "10.20.0.0/16".into()),
            fleet_instance_type: "t3.micro".into(),
            fleet_ami: (Ami::LatestAl2023, Ami::LatestAl2023),
            fleet_key_pair: KeyPair::Create,
            fleet_instance_role: InstanceRole::default(),
            fleet_user_data: Some("#!/bin/bash\necho hello\n".into()),
            fleet_app_port: 3000,
            fleet_min_size: Some(3),
            fleet_desired_capacity: Some(3),
            fleet_max_size: Some(4),
            fleet_root_volume_gib: 8,
            fleet_health_check: FleetHealthCheck::Ec2,
            fleet_health_check_grace_period_secs: 300,
            fleet_update_policy: FleetUpdatePolicy::Rolling,
            alb_certificate_arn: (Some(CERT_EAST.into()), Some(CERT_WEST.into())),
            alb_protocol_version: ProtocolVersion::Http1,
            alb_target_port: 3000,
            alb_health_check_path: Some("/api/health".into()),
            alb_ssl_policy: DEFAULT_SSL_POLICY.into(),
            alb_allow_legacy_tls: false,
            alb_deletion_protection: true,
            alb_drop_invalid_header_fields: true,
            alb_access_logs: (AccessLogs::Create, AccessLogs::Create),
            alb_access_log_prefix: Some("alb".into()),
            alb_access_log_retention_days: 90,
            eks_version: DEFAULT_KUBERNETES_VERSION.into(),
            eks_public_access_cidrs: vec!["203.0.113.0/24".into()],
            eks_node_instance_type: "t3.medium".into(),
            eks_node_ami_type: "AL2023_x86_64_STANDARD".into(),
            eks_node_min_size: 2,
            eks_node_desired_size: 2,
            eks_node_max_size: 2,
            eks_log_types: vec!["api".into(), "audit".into(), "authenticator".into()],
            eks_secrets_encryption: (SecretsEncryption::OwnKey, SecretsEncryption::OwnKey),
        }
    }
}

/// The pair built from `k`: a VPC, the Grafana fleet behind the ALB, EKS and the database
/// member in each site, every prop taken from `k`.
pub fn pair_app(k: &Knobs) -> App {
    let app = App::new("shop");
    DrPair::new(&app, "Shop", k.pair.clone(), |site| {
        let mut vpc_props = k.vpc.clone();
        vpc_props.cidr = site.pick(k.vpc_cidrs.0.clone(), k.vpc_cidrs.1.clone());
        if vpc_props.azs.is_empty() {
            vpc_props.azs = site.azs();
        }
        let vpc = Vpc::new(site.network(), "Network", vpc_props);
        let fleet = Ec2Fleet::new(
            site,
            "Grafana",
            Ec2FleetProps {
                vpc: &vpc,
                instance_type: k.fleet_instance_type.clone(),
                ami: pick_ami(site, &k.fleet_ami),
                key_pair: k.fleet_key_pair.clone(),
                instance_role: k.fleet_instance_role.clone(),
                user_data: k.fleet_user_data.clone(),
                app_port: k.fleet_app_port,
                min_size: k.fleet_min_size,
                desired_capacity: k.fleet_desired_capacity,
                max_size: k.fleet_max_size,
                root_volume_gib: k.fleet_root_volume_gib,
                health_check: k.fleet_health_check,
                health_check_grace_period_secs: k.fleet_health_check_grace_period_secs,
                update_policy: k.fleet_update_policy,
            },
        );
        // The pair can grant only a role the fleet created (an existing profile is reported
        // by `grant_database_secret` itself, a separate, valid-input finding).
        if matches!(k.fleet_instance_role, InstanceRole::Create { .. }) {
            site.grant_database_secret(&fleet);
        }
        let alb = Alb::new(
            site,
            "Lb",
            AlbProps {
                vpc: &vpc,
                targets: Some(fleet.app_target()),
                certificate_arn: site.pick(
                    k.alb_certificate_arn.0.clone(),
                    k.alb_certificate_arn.1.clone(),
                ),
                protocol_version: k.alb_protocol_version,
                target_port: k.alb_target_port,
                health_check_path: k.alb_health_check_path.clone(),
                ssl_policy: k.alb_ssl_policy.clone(),
                allow_legacy_tls: k.alb_allow_legacy_tls,
                deletion_protection: k.alb_deletion_protection,
                drop_invalid_header_fields: k.alb_drop_invalid_header_fields,
                access_logs: site.pick(k.alb_access_logs.0.clone(), k.alb_access_logs.1.clone()),
                access_log_prefix: k.alb_access_log_prefix.clone(),
                access_log_retention_days: k.alb_access_log_retention_days,
            },
        );
        site.serve(&alb);
        let eks = EksCluster::new(
            site,
            "Eks",
            EksClusterProps {
                vpc: &vpc,
                version: k.eks_version.clone(),
                public_access_cidrs: k.eks_public_access_cidrs.clone(),
                node_instance_type: k.eks_node_instance_type.clone(),
                node_ami_type: k.eks_node_ami_type.clone(),
                node_min_size: k.eks_node_min_size,
                node_desired_size: k.eks_node_desired_size,
                node_max_size: k.eks_node_max_size,
                log_types: k.eks_log_types.clone(),
                secrets_encryption: if site.is_primary() {
                    k.eks_secrets_encryption.0.clone()
                } else {
                    k.eks_secrets_encryption.1.clone()
                },
            },
        );
        site.database(
            &vpc,
            &[fleet.security_group_id(), eks.cluster_security_group_id()],
        );
    });
    app
}

/// An AMI per site: only `Ami::Id` differs per Region (AMI ids are regional).
fn pick_ami(site: &SiteScope, amis: &(Ami, Ami)) -> Ami {
    match amis {
        (Ami::Id(a), Ami::Id(b)) => Ami::Id(site.pick(a.clone(), b.clone())),
        (a, _) if site.is_primary() => a.clone(),
        (_, b) => b.clone(),
    }
}

/// A slip: a wrong value in one prop, and where the one error must be reported.
pub struct Row<K> {
    /// What the slip is, for the failure message.
    pub slip: &'static str,
    /// Makes it.
    pub apply: fn(&mut K),
    /// The construct path the error must name (the primary site's, for a slip in the closure;
    /// the other site's path is then in `also_at`).
    pub path: &'static str,
    /// The prop the error must name.
    pub prop: &'static str,
}

/// Applies each row to a fresh `K` and checks that synthesis gives exactly one error, on the
/// row's path and prop; a baseline `K` must give none.
pub fn check_rows<K: Default>(build: fn(&K) -> App, rows: &[Row<K>]) {
    let baseline = errors(&build(&K::default()));
    assert!(
        baseline.is_empty(),
        "the baseline must be valid: {baseline:#?}"
    );
    let mut failures = Vec::new();
    for row in rows {
        let mut k = K::default();
        (row.apply)(&mut k);
        let errors = errors(&build(&k));
        let ok = matches!(errors.as_slice(), [one]
            if one.path == row.path && one.prop.as_deref() == Some(row.prop));
        if !ok {
            failures.push(format!(
                "{} ({}.{}): expected one error there, got {}:\n{}",
                row.slip,
                row.path,
                row.prop,
                errors.len(),
                errors
                    .iter()
                    .map(|d| format!("    {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} slips are not one error at their prop:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// The errors of an app, as synthesis gathers them (repeats merged).
pub fn errors(app: &App) -> Vec<Diagnostic> {
    app.tree()
        .diagnostics()
        .0
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect()
}

/// A stack in `region` for the standalone constructs.
pub fn stack(app: &App, id: &str, region: Region) -> Stack {
    Stack::new(app, id, StackProps::in_region(region))
}

/// The fields of `pub struct {name}` in a construct's source, in order.
fn struct_fields(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("pub struct {name}"))
        .unwrap_or_else(|| panic!("no struct {name}"));
    let body = &source[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':').map(|(f, _)| f.trim().to_string()))
        .collect()
}

/// Every props struct a user fills in, the prefix its props are named with in diagnostics,
/// and its source.
const PROPS_STRUCTS: &[(&str, &str, &str)] = &[
    ("VpcProps", "", include_str!("../../../src/vpc.rs")),
    (
        "Ec2FleetProps",
        "",
        include_str!("../../../src/ec2_fleet.rs"),
    ),
    ("AlbProps", "", include_str!("../../../src/alb.rs")),
    ("EksClusterProps", "", include_str!("../../../src/eks.rs")),
    ("RdsClusterProps", "", include_str!("../../../src/rds.rs")),
    (
        "GlobalMembership",
        "global.",
        include_str!("../../../src/rds.rs"),
    ),
    (
        "DrPairProps",
        "",
        include_str!("../../../src/dr_pair/mod.rs"),
    ),
    (
        "DatabaseProps",
        "database.",
        include_str!("../../../src/dr_pair/mod.rs"),
    ),
    (
        "Site",
        "secondary.",
        include_str!("../../../src/dr_pair/mod.rs"),
    ),
];

/// The props whose type admits no wrong value (a reference to a built construct, a bool, an
/// enumeration every variant of which is valid here), so no slip can be written; each with
/// why.
pub const TYPED: &[(&str, &str)] = &[
    ("vpc", "a reference to a built Vpc"),
    ("targets", "a FleetTarget, made only by Ec2Fleet::target"),
    ("nat_gateways", "PerAz or Single, both valid with any zones"),
    ("health_check", "EC2 or ELB, both valid for any fleet"),
    (
        "update_policy",
        "Rolling or Manual, both valid for any fleet",
    ),
    ("deletion_protection", "a bool"),
    ("drop_invalid_header_fields", "a bool"),
    ("allow_legacy_tls", "a bool"),
    ("database.deletion_protection", "a bool"),
    ("iam_authentication", "a bool"),
    (
        "secret_kms_key_id",
        "a key of the cluster's Region; DrPair passes its pair key",
    ),
    (
        "security_group_id",
        "a security group's id token; DrPair passes one of the network stack",
    ),
    ("engine", "AuroraEngine, every variant valid"),
    ("database.engine", "AuroraEngine, every variant valid"),
    ("global.engine", "AuroraEngine, every variant valid"),
    (
        "global.role",
        "GlobalRole, built by DrPair or by hand with a typed Region",
    ),
    (
        "allowed_security_groups",
        "tokens of security groups the app built",
    ),
    ("secondary.region", "a Region, every variant a real Region"),
    ("primary", "a Site, its fields rowed under `secondary.`"),
    ("secondary", "a Site, its fields rowed under `secondary.`"),
    (
        "database",
        "DatabaseProps, its fields rowed under `database.`",
    ),
    (
        "global",
        "GlobalMembership, its fields rowed under `global.`",
    ),
];

/// Every prop of every props struct has a row (or is in [`TYPED`]).
#[test]
fn every_prop_has_a_row() {
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for rows in [
        vpc::ROWS,
        ec2_fleet::ROWS,
        alb::ROWS,
        eks::ROWS,
        dr_pair::ROWS,
    ] {
        covered.extend(rows.iter().map(|r| r.prop));
    }
    covered.extend(rds::ROWS.iter().map(|r| r.prop));
    covered.extend(vpc::STANDALONE_ROWS.iter().map(|r| r.prop));
    covered.extend(TYPED.iter().map(|(p, _)| *p));
    let mut missing = Vec::new();
    let mut total = 0;
    for (name, prefix, source) in PROPS_STRUCTS {
        for field in struct_fields(source, name) {
            total += 1;
            let prop = format!("{prefix}{field}");
            if !covered.contains(prop.as_str()) {
                missing.push(format!("{name}.{field} (as `{prop}`)"));
            }
        }
    }
    assert!(
        total > 60,
        "only {total} props found: is struct_fields broken?"
    );
    assert!(missing.is_empty(), "props without a slip row: {missing:#?}");
}
