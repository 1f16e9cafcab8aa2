//! `DrPair`: the seed's system from one definition. Bad input (the seed's own slips) gives one
//! clear error per slip and no assembly; the parity check; the stacks, their wiring and the DR
//! topology in the manifest; the traffic switch; snapshots and cfn-lint.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::{assert_secure, lint, one, resources_of, template, type_counts};
use dr_aws_constructs::*;
use dr_core::{App, Diagnostic, Region, Severity};
use serde_json::{Value, json};

const CERT_EAST: &str =
    "arn:aws:acm:us-east-2:123456789012:certificate/11111111-1111-1111-1111-111111111111";
const CERT_WEST: &str =
    "arn:aws:acm:us-west-2:123456789012:certificate/22222222-2222-2222-2222-222222222222";

/// What the site closure is built from; the defaults are a working seed app.
#[derive(Clone)]
struct Spec {
    primary: Site,
    secondary: Site,
    node_type: &'static str,
    db_class: &'static str,
    https: bool,
    cidrs: (&'static str, &'static str),
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            primary: Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b", "us-east-2c"]),
            secondary: Site::new(Region::UsWest2, ["us-west-2a", "us-west-2b", "us-west-2c"]),
            node_type: "t3.medium",
            db_class: "db.r6g.large",
            https: true,
            cidrs: ("10.10.0.0/16", "10.20.0.0/16"),
        }
    }
}

fn props(spec: &Spec) -> DrPairProps {
    DrPairProps::builder()
        .primary(spec.primary.clone())
        .secondary(spec.secondary.clone())
        .domain("shop.example.com")
        .hosted_zone(HostedZoneRef::existing(
            "Z0123456789ABCDEFGHIJ",
            "example.com",
        ))
        .database(
            DatabaseProps::builder()
                .instance_class(spec.db_class)
                .database_name("grafana")
                .build(),
        )
        .build()
}

/// The seed's site: VPC, Grafana fleet behind the ALB, EKS, the database member.
fn seed_site(site: &SiteScope, spec: &Spec) {
    let vpc = Vpc::new(
        site.network(),
        "Network",
        VpcProps::builder()
            .cidr(site.pick(spec.cidrs.0, spec.cidrs.1))
            .azs(site.azs())
            .build(),
    );
    let db = site.database_connection();
    let fleet = Ec2Fleet::new(
        site,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .user_data(format!("#!/bin/bash\n{}", db.shell_env()))
            .build(),
    );
    site.grant_database_secret(&fleet);
    let admin = site.app_secret("GrafanaAdmin");
    site.grant_app_secret(&fleet, &admin);
    let certificate_arn = spec
        .https
        .then(|| site.pick(CERT_EAST, CERT_WEST).to_string());
    let alb = Alb::new(
        site,
        "Lb",
        AlbProps::builder()
            .vpc(&vpc)
            .targets(fleet.app_target())
            .maybe_certificate_arn(certificate_arn)
            .build(),
    );
    site.serve(&alb);
    let eks = EksCluster::new(
        site,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .node_instance_type(spec.node_type)
            .build(),
    );
    site.database(
        &vpc,
        &[fleet.security_group_id(), eks.cluster_security_group_id()],
    );
}

fn app_of(spec: &Spec) -> (App, DrPair) {
    let app = App::new("shop");
    let pair = DrPair::new(&app, "Shop", props(spec), |site| seed_site(site, spec));
    (app, pair)
}

fn synth_ok(app: &App) -> dr_synth::Assembly {
    dr_synth::synth(app).unwrap_or_else(|d| panic!("synthesis failed:\n{d}"))
}

fn errors_of(app: &App) -> Vec<Diagnostic> {
    let err = dr_synth::synth(app).expect_err("synthesis must fail");
    err.0
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn codes_and_paths(errors: &[Diagnostic]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|d| (d.code.clone(), d.path.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The seed's slips

/// The seed written literally: zone 2 lists us-west-1 zones under us-west-2, the EKS nodes
/// are "t3.meduim", the database is db.t2.small on a global Aurora MySQL 3 cluster. One error
/// per slip (the node type is wrong in both Regions' node groups: one error naming both
/// paths), each naming the fix, and synthesis returns no assembly.
#[test]
fn seed_literal_values_give_one_clear_error_per_slip() {
    let spec = Spec {
        secondary: Site::new(Region::UsWest2, ["us-west-1a", "us-west-1b", "us-west-1c"]),
        node_type: "t3.meduim",
        db_class: "db.t2.small",
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [
            ("DRK-AZ-001".to_string(), "Shop/Secondary".to_string()),
            ("DRK-RDS-004".into(), "Shop".into()),
            ("DRK-EC2-001".into(), "Shop/Primary/Eks".into()),
        ],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the site's zones `us-west-1a`, `us-west-1b`, `us-west-1c` are in us-west-1, but the site is in us-west-2; a site's load balancer, instances and database all deploy to the site's Region"
    );
    assert_eq!(
        errors[0].hint.as_deref(),
        Some(
            r#"use zones of us-west-2, e.g. ["us-west-2a", "us-west-2b", "us-west-2c"] (us-west-1 has only 2 usable zones per account)"#
        )
    );
    assert_eq!(
        errors[1].message,
        "DB instance class `db.t2.small` is burstable; an Aurora global database accepts only memory-optimized classes"
    );
    assert!(
        errors[1]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("use db.r6g.large"),
        "{:?}",
        errors[1].hint
    );
    assert_eq!(
        errors[2].message,
        "unknown EC2 instance type `t3.meduim`; did you mean `t3.medium`?"
    );
    assert_eq!(
        errors[2].hint.as_deref(),
        Some("set node_instance_type to `t3.medium`")
    );
    assert_eq!(errors[2].also_at, ["Shop/Secondary/Eks"]);
}

/// A pair in Regions drkit has no load-balancer facts for (eu-west-1, eu-central-1) synthesizes
/// and lints clean: the alias zones come from the load balancers, not from a table.
#[test]
fn a_pair_outside_the_us_regions_synthesizes_and_lints_clean() {
    let spec = Spec {
        primary: Site::new(Region::EuWest1, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
        secondary: Site::new(
            Region::EuCentral1,
            ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        ),
        https: false,
        ..Spec::default()
    };
    assert_eq!(Region::EuCentral1.alb_hosted_zone_id(), None);
    let (app, _) = app_of(&spec);
    let a = synth_ok(&app);
    let regions: BTreeSet<String> = a.stacks.iter().map(|s| s.region.to_string()).collect();
    assert_eq!(
        regions,
        BTreeSet::from(["eu-central-1".to_string(), "eu-west-1".to_string()])
    );
    let g = template(&a, "Shop-Global");
    for (_, record) in resources_of(g, "AWS::Route53::RecordSet")
        .into_iter()
        .filter(|(_, r)| r["Properties"].get("Failover").is_some())
    {
        let (_, value) = produced_by(
            &a,
            "Shop-Global",
            &record["Properties"]["AliasTarget"]["HostedZoneId"],
        );
        assert_eq!(value["Fn::GetAtt"][1], "CanonicalHostedZoneID", "{record}");
    }
    let dir = tempfile::tempdir().unwrap();
    a.write(dir.path()).unwrap();
    let paths: Vec<_> = a
        .stacks
        .iter()
        .map(|s| dir.path().join(s.template_file()))
        .collect();
    dr_testkit::assert_cfn_lint_clean(&paths, &["eu-west-1", "eu-central-1"]);
}

/// The seed's ALB row puts the load balancers in us-east-1 and us-west-1 while its zones are
/// in us-east-2 and us-west-2: each site gets one error that names both ways out.
#[test]
fn alb_regions_of_the_seed_are_reported_per_site() {
    let spec = Spec {
        primary: Site::new(Region::UsEast1, ["us-east-2a", "us-east-2b", "us-east-2c"]),
        secondary: Site::new(Region::UsWest1, ["us-west-2a", "us-west-2b", "us-west-2c"]),
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [
            ("DRK-AZ-001".to_string(), "Shop/Primary".to_string()),
            ("DRK-AZ-001".into(), "Shop/Secondary".into())
        ],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the site's zones `us-east-2a`, `us-east-2b`, `us-east-2c` are in us-east-2, but the site is in us-east-1; a site's load balancer, instances and database all deploy to the site's Region"
    );
    assert_eq!(
        errors[0].hint.as_deref(),
        Some(
            r#"use zones of us-east-1, e.g. ["us-east-1a", "us-east-1b", "us-east-1c"], or set the site's Region to us-east-2"#
        )
    );
    assert_eq!(
        errors[1].hint.as_deref(),
        Some(
            r#"use zones of us-west-1, e.g. ["us-west-1a", "us-west-1b"], or set the site's Region to us-west-2"#
        )
    );
}

/// One zone of another Region among the site's own: named once, in a sentence, with the
/// Region's own zones.
#[test]
fn a_stray_zone_among_the_sites_own_is_named_with_the_regions_zones() {
    let spec = Spec {
        secondary: Site::new(Region::UsWest2, ["us-west-2a", "us-west-1b", "us-west-2c"]),
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-AZ-001".to_string(), "Shop/Secondary".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "`us-west-1b` is not an Availability Zone of us-west-2, where this site deploys; us-west-2's zones are us-west-2a, us-west-2b, us-west-2c, us-west-2d"
    );

    let spec = Spec {
        secondary: Site::new(Region::UsWest2, ["us-west-2a", "us-west-1b", "us-east-2c"]),
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    assert!(
        errors_of(&app)[0]
            .message
            .starts_with("`us-west-1b`, `us-east-2c` are not Availability Zones of us-west-2,")
    );
}

#[test]
fn overlapping_cidrs_and_same_region_are_errors() {
    let spec = Spec {
        cidrs: ("10.0.0.0/16", "10.0.128.0/17"),
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    let errors = errors_of(&app);
    // On the VPCs, where the CIDRs are written, not on the peering that found them.
    assert_eq!(
        codes_and_paths(&errors),
        [(
            "DRK-CIDR-005".to_string(),
            "Shop/PrimaryNetwork/Network".to_string()
        )]
    );
    assert_eq!(errors[0].also_at, ["Shop/SecondaryNetwork/Network"]);
    assert_eq!(
        errors[0].message,
        "the CIDR blocks of the peered VPCs overlap: `10.0.0.0/16` in us-east-2 and `10.0.128.0/17` in us-west-2"
    );
    assert!(
        errors[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.starts_with("set `cidr` on one of the VPCs")),
        "{:?}",
        errors[0].hint
    );

    let spec = Spec {
        secondary: Site::new(Region::UsEast2, ["us-east-2a", "us-east-2b", "us-east-2c"]),
        ..Spec::default()
    };
    let (app, _) = app_of(&spec);
    let codes: Vec<String> = errors_of(&app).into_iter().map(|d| d.code).collect();
    assert!(codes.contains(&"DRK-PAIR-003".to_string()), "{codes:?}");
}

#[test]
fn a_site_that_hands_over_nothing_is_reported() {
    let app = App::new("shop");
    DrPair::new(&app, "Shop", props(&Spec::default()), |site| {
        Vpc::new(
            site.network(),
            "Network",
            VpcProps::builder()
                .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
                .azs(site.azs())
                .build(),
        );
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [
            ("DRK-PAIR-004".to_string(), "Shop/Primary".to_string()),
            ("DRK-PAIR-005".into(), "Shop/Primary".into()),
            ("DRK-PAIR-005".into(), "Shop/Secondary".into()),
        ],
        "{errors:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Parity

/// The site's VPC, with a CIDR of its own per site, in its network stack.
fn site_vpc(site: &SiteScope) -> Vpc {
    site_vpc_in(site, site.network())
}

/// The site's VPC, under `scope`.
fn site_vpc_in(site: &SiteScope, scope: &dr_core::Scope) -> Vpc {
    Vpc::new(
        scope,
        "Network",
        VpcProps::builder()
            .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
            .azs(site.azs())
            .build(),
    )
}

/// Puts `fleet` behind a plain-HTTP load balancer that the pair serves, and adds the site's
/// database member, open to the fleet.
fn serve_and_store(site: &SiteScope, vpc: &Vpc, fleet: &Ec2Fleet) {
    let alb = Alb::new(
        site,
        "Lb",
        AlbProps::builder()
            .vpc(vpc)
            .targets(fleet.app_target())
            .build(),
    );
    site.serve(&alb);
    site.database(vpc, &[fleet.security_group_id()]);
}

/// Builds a pair whose closure differs per Region in the ways `vary` says.
fn parity_app(vary: impl Fn(&SiteScope) -> (&'static str, bool, bool)) -> App {
    let app = App::new("shop");
    let spec = Spec::default();
    DrPair::new(&app, "Shop", props(&spec), |site| {
        let (instance_type, extra_bucket, exempt) = vary(site);
        let vpc = site_vpc(site);
        let fleet = Ec2Fleet::new(
            site,
            "Grafana",
            Ec2FleetProps::builder()
                .vpc(&vpc)
                .instance_type(instance_type)
                .build(),
        );
        serve_and_store(site, &vpc, &fleet);
        if extra_bucket {
            let logs = site.child("Logs");
            logs.add_resource("Resource", "AWS::S3::Bucket", dr_core::Expr::map([("BucketEncryption", json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}))]));
            if exempt {
                site.allow_difference(&logs, "access logs are kept in the primary Region only");
            }
        }
    });
    app
}

#[test]
fn parity_reports_each_difference_with_both_paths() {
    let app = parity_app(|site| {
        (
            if site.is_primary() {
                "t3.micro"
            } else {
                "t3.small"
            },
            site.is_primary(),
            false,
        )
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-001".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the two sites are not configured the same (2 differences):\n  \
         - LaunchTemplateData.InstanceType `t3.micro` in `Shop/Primary/Grafana/LaunchTemplate` but `t3.small` in `Shop/Secondary/Grafana/LaunchTemplate`\n  \
         - `Shop/Primary/Logs/Resource` (AWS::S3::Bucket) has no counterpart `Shop/Secondary/Logs/Resource` in the DR site"
    );
    assert!(
        errors[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("site.pick(primary, secondary)")
    );
}

#[test]
fn parity_accepts_pick_pairs_and_declared_differences() {
    let app = parity_app(|site| (site.pick("t3.micro", "t3.small"), site.is_primary(), true));
    let a = synth_ok(&app);
    let lt = |stack: &str| {
        one(template(&a, stack), "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]["InstanceType"].clone()
    };
    assert_eq!(lt("Shop-Primary"), "t3.micro");
    assert_eq!(lt("Shop-Secondary"), "t3.small");
    // The declared-different `Logs` bucket, beside each site's access-log bucket.
    let own_buckets = |stack: &str| {
        resources_of(template(&a, stack), "AWS::S3::Bucket")
            .into_iter()
            .filter(|(_, r)| r["Metadata"][ACCESS_LOG_BUCKET_METADATA] != true)
            .count()
    };
    assert_eq!(own_buckets("Shop-Primary"), 1);
    assert_eq!(own_buckets("Shop-Secondary"), 0);
}

/// A smaller fleet in the DR Region (a warm standby) is one pick of the desired capacity: the
/// maximum that follows from it (one above, for the rolling update) is not a second
/// difference.
#[test]
fn a_picked_desired_capacity_is_one_difference_not_two() {
    let app = App::new("shop");
    DrPair::new(&app, "Shop", props(&Spec::default()), |site| {
        let vpc = site_vpc(site);
        let fleet = Ec2Fleet::new(
            site,
            "Grafana",
            Ec2FleetProps::builder()
                .vpc(&vpc)
                .desired_capacity(site.pick(3, 1))
                .build(),
        );
        serve_and_store(site, &vpc, &fleet);
    });
    let a = synth_ok(&app);
    let asg = |stack: &str| {
        one(template(&a, stack), "AWS::AutoScaling::AutoScalingGroup")["Properties"].clone()
    };
    assert_eq!(
        (
            asg("Shop-Primary")["MaxSize"].clone(),
            asg("Shop-Secondary")["MaxSize"].clone()
        ),
        (json!("4"), json!("2"))
    );
}

/// A pick is tied to the construct its value is given to: an unrelated
/// `pick("t3.micro", "t3.small")` (here the EKS nodes') no longer hides the same drift in the
/// fleet, where the instance type differs by a plain `if`; picking it for the fleet too is the
/// way to declare that both differ.
#[test]
fn an_unrelated_pick_does_not_hide_a_drift_in_another_construct() {
    let build = |fleet_picks: bool| {
        let app = App::new("shop");
        DrPair::new(&app, "Shop", props(&Spec::default()), |site| {
            let vpc = site_vpc(site);
            let node_type = site.pick("t3.micro", "t3.small");
            let fleet_type = if fleet_picks {
                site.pick("t3.micro", "t3.small")
            } else if site.is_primary() {
                "t3.micro"
            } else {
                "t3.small"
            };
            let fleet = Ec2Fleet::new(
                site,
                "Grafana",
                Ec2FleetProps::builder()
                    .vpc(&vpc)
                    .instance_type(fleet_type)
                    .build(),
            );
            EksCluster::new(
                site,
                "Eks",
                EksClusterProps::builder()
                    .vpc(&vpc)
                    .node_instance_type(node_type)
                    .build(),
            );
            serve_and_store(site, &vpc, &fleet);
        });
        app
    };
    let errors = errors_of(&build(false));
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-001".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the two sites are not configured the same (1 difference):\n  \
         - site.pick(\"t3.micro\", \"t3.small\") was made once but the sites differ by it in 2 constructs: InstanceTypes of `Shop/Primary/Eks/Nodes`, LaunchTemplateData.InstanceType of `Shop/Primary/Grafana/LaunchTemplate`; a pick excuses the one prop its value is given to"
    );
    synth_ok(&build(true));
}

/// A pair built the same in both sites (the VPC, the fleet behind a load balancer, the
/// database), plus what `add` builds in each.
fn parity_app_adding(add: impl Fn(&SiteScope)) -> App {
    let app = App::new("shop");
    DrPair::new(&app, "Shop", props(&Spec::default()), |site| {
        let vpc = site_vpc(site);
        let fleet = Ec2Fleet::new(site, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
        serve_and_store(site, &vpc, &fleet);
        add(site);
    });
    app
}

/// What the DR site has and the primary has not is a difference too (the DR site would run
/// what was never tested in production), named by its path with the missing one.
#[test]
fn parity_reports_a_resource_present_only_in_the_dr_site() {
    let app = parity_app_adding(|site| {
        if !site.is_primary() {
            site.child("Cache").add_resource(
                "Resource",
                "AWS::SQS::Queue",
                dr_core::Expr::map(Vec::<(String, dr_core::Expr)>::new()),
            );
        }
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-001".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the two sites are not configured the same (1 difference):\n  \
         - `Shop/Secondary/Cache/Resource` (AWS::SQS::Queue) has no counterpart `Shop/Primary/Cache/Resource` in the primary site"
    );
}

/// The same construct id with a different resource type in each site is reported with both
/// paths and both types, and its sizing is not compared (it would mean nothing across types).
#[test]
fn parity_reports_the_same_construct_with_a_different_type_per_site() {
    let app = parity_app_adding(|site| {
        let ty = if site.is_primary() {
            "AWS::SQS::Queue"
        } else {
            "AWS::SNS::Topic"
        };
        site.child("Events").add_resource(
            "Resource",
            ty,
            dr_core::Expr::map(Vec::<(String, dr_core::Expr)>::new()),
        );
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-001".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the two sites are not configured the same (1 difference):\n  \
         - `Shop/Primary/Events/Resource` is AWS::SQS::Queue but `Shop/Secondary/Events/Resource` is AWS::SNS::Topic"
    );
}

// ---------------------------------------------------------------------------------------
// The system: stacks, wiring, topology, the switch, snapshots, lint

#[test]
fn stacks_deploy_in_parallel_waves_without_cycles() {
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let deps: BTreeMap<&str, Vec<&str>> = a
        .stacks
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.dependencies.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        deps,
        BTreeMap::from([
            ("Shop-Primary-Network", vec![]),
            ("Shop-Secondary-Network", vec![]),
            ("Shop-Primary", vec!["Shop-Primary-Network"]),
            ("Shop-Secondary", vec!["Shop-Secondary-Network"]),
            // The data tier needs the networks only, never the site stacks (EKS): the
            // secrets' replicas use the DR site's pair key, in its network stack.
            (
                "Shop-Primary-Data",
                vec!["Shop-Primary-Network", "Shop-Secondary-Network"]
            ),
            (
                "Shop-Secondary-Data",
                vec!["Shop-Secondary-Network", "Shop-Primary-Data"]
            ),
            (
                "Shop-Primary-Peering",
                vec!["Shop-Primary-Network", "Shop-Secondary-Network"]
            ),
            (
                "Shop-Secondary-Peering",
                vec!["Shop-Secondary-Network", "Shop-Primary-Peering"]
            ),
            (
                "Shop-Global",
                vec![
                    "Shop-Primary-Network",
                    "Shop-Secondary-Network",
                    "Shop-Primary",
                    "Shop-Secondary",
                    "Shop-Primary-Data"
                ]
            ),
        ])
    );
    let waves: Vec<BTreeSet<&str>> = a
        .waves()
        .into_iter()
        .map(|w| w.iter().map(|s| s.name.as_str()).collect())
        .collect();
    assert_eq!(
        waves,
        [
            BTreeSet::from(["Shop-Primary-Network", "Shop-Secondary-Network"]),
            BTreeSet::from([
                "Shop-Primary",
                "Shop-Secondary",
                "Shop-Primary-Data",
                "Shop-Primary-Peering"
            ]),
            BTreeSet::from([
                "Shop-Secondary-Data",
                "Shop-Secondary-Peering",
                "Shop-Global"
            ]),
        ]
    );
    let regions: BTreeMap<&str, &str> = a
        .stacks
        .iter()
        .map(|s| (s.name.as_str(), s.region.code()))
        .collect();
    assert_eq!(regions["Shop-Global"], "us-west-2");
    assert_eq!(regions["Shop-Primary-Peering"], "us-east-2");
    assert_eq!(regions["Shop-Secondary-Peering"], "us-west-2");
}

/// Values travel between stacks one way, same Region or not: a producer output the deployer
/// passes as a consumer parameter. No template exports or imports a value, since an export
/// locks its producer: replacing an exported value fails the producer's update.
#[test]
fn values_between_stacks_are_outputs_passed_as_parameters_never_exports() {
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let mut same_region_wires = 0;
    for s in &a.stacks {
        let text = s.template_body();
        assert!(!text.contains("Fn::ImportValue"), "{} imports", s.name);
        for (key, o) in s.template["Outputs"].as_object().into_iter().flatten() {
            assert!(
                o.get("Export").is_none(),
                "{}: output {key} is exported",
                s.name
            );
        }
        same_region_wires += s
            .parameter_wiring
            .iter()
            .filter(|w| a.stack(w.source.stack()).unwrap().region == s.region)
            .count();
    }
    // The data stacks take their site's subnets and security groups, the peering routes their
    // Region's route tables, the global stack the DR site's load balancer.
    assert!(same_region_wires >= 10, "{same_region_wires}");
}

/// Every consumer parameter the deployer fills has exactly one producer output that exists,
/// and every parameter without a default is wired.
#[test]
fn manifest_wiring_is_complete_and_unambiguous() {
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let dir = tempfile::tempdir().unwrap();
    a.write(dir.path()).unwrap();
    let back = dr_synth::Assembly::read(dir.path()).unwrap();
    let manifest = a.manifest();
    let mut lookups = 0;
    for s in &back.stacks {
        let params = s
            .template
            .get("Parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut seen = BTreeSet::new();
        for w in &s.parameter_wiring {
            assert!(
                seen.insert(w.parameter.clone()),
                "{}: {} wired twice",
                s.name,
                w.parameter
            );
            assert!(
                params.contains_key(&w.parameter),
                "{}: wired parameter {} missing",
                s.name,
                w.parameter
            );
            let producer = back
                .stack(w.source.stack())
                .unwrap_or_else(|| panic!("no producer {}", w.source.stack()));
            assert!(
                producer.template["Outputs"]
                    .get(w.source.output())
                    .is_some(),
                "{} has no output {}",
                producer.name,
                w.source.output()
            );
            assert!(
                s.dependencies.iter().any(|d| d == &producer.name),
                "{} must depend on {}",
                s.name,
                producer.name
            );
            if let dr_synth::assembly::WiringSource::Lookup { kind, .. } = &w.source {
                assert_eq!(*kind, dr_core::LookupKind::GlobalClusterWriterEndpoint);
                lookups += 1;
            }
        }
        for (id, p) in &params {
            if p.get("Default").is_none() {
                assert!(
                    seen.contains(id),
                    "{}: parameter {id} has no default and no wiring",
                    s.name
                );
            }
        }
    }
    assert_eq!(
        lookups, 1,
        "the database CNAME reads the global writer endpoint"
    );
    assert_eq!(manifest["drTopology"]["version"], 2);
    assert_eq!(manifest["drTopology"]["pairs"], json!(back.dr_pairs));
    assert_eq!(back.dr_pairs.len(), 1);
}

#[test]
fn topology_names_every_element_by_stack_and_logical_id() {
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let topo = a
        .dr_pairs
        .first()
        .cloned()
        .expect("DrPair records the topology");
    assert_eq!(topo["version"], 2);
    assert_eq!(topo["stacks"]["primaryNetwork"], "Shop-Primary-Network");
    assert_eq!(topo["stacks"]["secondaryNetwork"], "Shop-Secondary-Network");
    assert_eq!(
        topo["regions"],
        json!({"primary": "us-east-2", "secondary": "us-west-2"})
    );
    assert_eq!(topo["switch"]["namespace"], "drkit");
    assert_eq!(topo["switch"]["metricName"], "PrimaryActive");
    assert_eq!(
        topo["switch"]["dimensions"],
        json!([{"Name": "App", "Value": "shop"}])
    );
    assert_eq!(topo["switch"]["region"], "us-west-2");
    assert_eq!(topo["database"]["cname"]["name"], "db.shop.internal");
    assert_eq!(
        topo["traffic"]["hostedZone"],
        json!({"id": "Z0123456789ABCDEFGHIJ", "name": "example.com"})
    );
    assert_eq!(topo["traffic"]["healthCheckPath"], "/api/health");
    // Each {stack, logicalId} exists with the expected type.
    let expect = [
        ("/database/globalCluster", "AWS::RDS::GlobalCluster"),
        ("/database/primaryCluster", "AWS::RDS::DBCluster"),
        ("/database/secondaryCluster", "AWS::RDS::DBCluster"),
        ("/database/cname/record", "AWS::Route53::RecordSet"),
        ("/database/cname/privateZone", "AWS::Route53::HostedZone"),
        ("/traffic/primaryRecord", "AWS::Route53::RecordSet"),
        ("/traffic/secondaryRecord", "AWS::Route53::RecordSet"),
        ("/traffic/healthChecks/primary", "AWS::Route53::HealthCheck"),
        (
            "/traffic/healthChecks/primaryEndpoint",
            "AWS::Route53::HealthCheck",
        ),
        ("/traffic/healthChecks/switch", "AWS::Route53::HealthCheck"),
        (
            "/traffic/loadBalancers/primary",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ),
        (
            "/traffic/loadBalancers/secondary",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        ),
        (
            "/traffic/loadBalancers/primary/targetGroup",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
        ),
        (
            "/traffic/loadBalancers/secondary/targetGroup",
            "AWS::ElasticLoadBalancingV2::TargetGroup",
        ),
        ("/switch/alarm", "AWS::CloudWatch::Alarm"),
        ("/peering/connection", "AWS::EC2::VPCPeeringConnection"),
        ("/pairKeys/primary", "AWS::KMS::Key"),
        ("/pairKeys/secondary", "AWS::KMS::Key"),
        ("/alarmTopics/primary", "AWS::SNS::Topic"),
        ("/alarmTopics/secondary", "AWS::SNS::Topic"),
    ];
    for (ptr, ty) in expect {
        let e = topo
            .pointer(ptr)
            .unwrap_or_else(|| panic!("no {ptr} in {topo:#}"));
        let t = template(&a, e["stack"].as_str().unwrap());
        assert_eq!(
            t["Resources"][e["logicalId"].as_str().unwrap()]["Type"],
            ty,
            "{ptr}: {e}"
        );
    }
    assert_eq!(
        topo["traffic"]["loadBalancers"]["primary"]["stack"],
        "Shop-Primary"
    );
    assert_eq!(
        topo["database"]["secondaryCluster"]["stack"],
        "Shop-Secondary-Data"
    );
    let alarm = &topo["switch"]["alarm"];
    let alarm_props = &template(&a, alarm["stack"].as_str().unwrap())["Resources"]
        [alarm["logicalId"].as_str().unwrap()]["Properties"];
    assert_eq!(alarm_props["AlarmName"], topo["switch"]["alarmName"]);
    insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("dr_pair__topology", topo);
    });
}

/// The stack and output value behind `value` in `consumer`: a parameter the deployer fills from
/// the producer's output, whatever the Regions (drkit synthesizes no export).
fn produced_by(a: &dr_synth::Assembly, consumer: &str, value: &Value) -> (String, Value) {
    let parameter = value["Ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{consumer}: {value} is not a wired parameter"));
    let wiring = a
        .stack(consumer)
        .unwrap()
        .parameter_wiring
        .iter()
        .find(|w| w.parameter == parameter)
        .unwrap_or_else(|| panic!("{consumer}: parameter {parameter} is not wired"));
    let producer = wiring.source.stack();
    let output = &template(a, producer)["Outputs"][wiring.source.output()];
    (producer.to_string(), output["Value"].clone())
}

/// The traffic switch: nothing failover changes is a template property.
#[test]
fn traffic_switch_is_a_metric_health_check_and_failover_records() {
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let g = template(&a, "Shop-Global");
    let alarm = &one(g, "AWS::CloudWatch::Alarm")["Properties"];
    assert_eq!(alarm["Namespace"], "drkit");
    assert_eq!(alarm["MetricName"], "PrimaryActive");
    assert_eq!(alarm["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(alarm["Threshold"], 1.0);
    assert_eq!(alarm["TreatMissingData"], "ignore");
    let checks: BTreeMap<String, Value> = resources_of(g, "AWS::Route53::HealthCheck")
        .into_iter()
        .map(|(_, r)| {
            (
                r["Properties"]["HealthCheckConfig"]["Type"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["Properties"]["HealthCheckConfig"].clone(),
            )
        })
        .collect();
    assert_eq!(
        checks.keys().cloned().collect::<Vec<_>>(),
        ["CALCULATED", "CLOUDWATCH_METRIC", "HTTPS"]
    );
    assert_eq!(checks["CALCULATED"]["HealthThreshold"], 2);
    assert_eq!(
        checks["CALCULATED"]["ChildHealthChecks"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        checks["CLOUDWATCH_METRIC"]["InsufficientDataHealthStatus"],
        "LastKnownStatus"
    );
    assert_eq!(checks["HTTPS"]["ResourcePath"], "/api/health");
    assert_eq!(checks["HTTPS"]["Port"], 443);
    // The primary's ALB DNS name crosses Regions as a parameter the deployer fills.
    assert!(
        checks["HTTPS"]["FullyQualifiedDomainName"]["Ref"]
            .as_str()
            .unwrap()
            .starts_with("WiredShopPrimary")
    );
    let records: BTreeMap<String, Value> = resources_of(g, "AWS::Route53::RecordSet")
        .into_iter()
        .filter(|(_, r)| r["Properties"].get("Failover").is_some())
        .map(|(_, r)| {
            (
                r["Properties"]["Failover"].as_str().unwrap().to_string(),
                r["Properties"].clone(),
            )
        })
        .collect();
    // Each alias target's zone is its load balancer's own attribute, wired as a parameter from
    // either site (the secondary is in the global stack's Region, the primary is not).
    for (failover, site_stack) in [("PRIMARY", "Shop-Primary"), ("SECONDARY", "Shop-Secondary")] {
        let (producer, value) = produced_by(
            &a,
            "Shop-Global",
            &records[failover]["AliasTarget"]["HostedZoneId"],
        );
        assert_eq!(producer, site_stack, "{failover}");
        assert_eq!(value["Fn::GetAtt"][1], "CanonicalHostedZoneID", "{value}");
        let lb = value["Fn::GetAtt"][0].as_str().unwrap();
        assert_eq!(
            template(&a, site_stack)["Resources"][lb]["Type"],
            "AWS::ElasticLoadBalancingV2::LoadBalancer"
        );
    }
    assert_eq!(
        records["PRIMARY"]["AliasTarget"]["EvaluateTargetHealth"],
        true
    );
    assert_eq!(
        records["SECONDARY"]["AliasTarget"]["EvaluateTargetHealth"],
        true
    );
    assert!(records["PRIMARY"]["HealthCheckId"].get("Ref").is_some());
    assert!(records["SECONDARY"].get("HealthCheckId").is_none());
    assert_eq!(records["PRIMARY"]["Name"], "shop.example.com");
    // The existing zone comes in as a typed parameter, so CloudFormation checks it exists.
    assert_eq!(
        g["Parameters"][records["PRIMARY"]["HostedZoneId"]["Ref"].as_str().unwrap()]["Type"],
        "AWS::Route53::HostedZone::Id"
    );
    // The database CNAME: private zone on both VPCs, value from the deploy-time lookup.
    let zone = one(g, "AWS::Route53::HostedZone");
    let vpcs = zone["Properties"]["VPCs"].as_array().unwrap();
    assert_eq!(
        vpcs.iter()
            .map(|v| v["VPCRegion"].clone())
            .collect::<Vec<_>>(),
        [json!("us-east-2"), json!("us-west-2")]
    );
    let cname = resources_of(g, "AWS::Route53::RecordSet")
        .into_iter()
        .find(|(_, r)| r["Properties"]["Type"] == "CNAME")
        .unwrap()
        .1;
    assert_eq!(cname["Properties"]["Name"], "db.shop.internal");
    assert_eq!(cname["Properties"]["TTL"], "30");
    assert!(
        cname["Properties"]["ResourceRecords"][0]["Ref"]
            .as_str()
            .unwrap()
            .starts_with("LookupRdsGlobalClusterWriterEndpoint")
    );
}

#[test]
fn global_database_members_and_peering() {
    let (app, pair) = app_of(&Spec::default());
    let a = synth_ok(&app);
    let pd = template(&a, "Shop-Primary-Data");
    let sd = template(&a, "Shop-Secondary-Data");
    let g = one(pd, "AWS::RDS::GlobalCluster");
    assert!(
        matches!(g["DeletionPolicy"].as_str(), Some("Delete" | "Retain")),
        "{g}"
    );
    let p = &one(pd, "AWS::RDS::DBCluster")["Properties"];
    let s = &one(sd, "AWS::RDS::DBCluster")["Properties"];
    assert_eq!(p["EngineVersion"], s["EngineVersion"]);
    assert!(s.get("MasterUsername").is_none() && s.get("MasterUserPassword").is_none());
    assert_eq!(s["SourceRegion"], "us-east-2");
    // Each cluster is encrypted with a key of its own Region, defined in its own stack.
    for (t, c) in [(pd, p), (sd, s)] {
        let key = c["KmsKeyId"]["Fn::GetAtt"][0].as_str().unwrap();
        assert_eq!(t["Resources"][key]["Type"], "AWS::KMS::Key");
    }
    // The master secret and the app secret: named, on the primary site's pair key, replicated
    // to the DR Region on the DR site's pair key (a key of the replica's own Region).
    let secrets = resources_of(pd, "AWS::SecretsManager::Secret");
    assert_eq!(secrets.len(), 2);
    let pair_key_of = |consumer: &str, value: &Value| {
        let (stack, value) = produced_by(&a, consumer, value);
        let key = value["Fn::GetAtt"][0].as_str().unwrap().to_string();
        let t = template(&a, &stack);
        assert_eq!(
            t["Resources"][&key]["Type"], "AWS::KMS::Key",
            "{stack}/{key}"
        );
        assert!(key.starts_with("PairKey"), "{key}");
        assert_eq!(value["Fn::GetAtt"][1], "Arn");
        let region = a.stack(&stack).unwrap().region.code().to_string();
        (stack, region)
    };
    let mut names = BTreeSet::new();
    for (_, secret) in &secrets {
        let p = &secret["Properties"];
        names.insert(p["Name"].as_str().unwrap().to_string());
        assert_eq!(
            pair_key_of("Shop-Primary-Data", &p["KmsKeyId"]),
            ("Shop-Primary-Network".to_string(), "us-east-2".to_string())
        );
        let replicas = p["ReplicaRegions"].as_array().unwrap();
        assert_eq!(replicas.len(), 1, "{p}");
        assert_eq!(replicas[0]["Region"], "us-west-2");
        assert_eq!(
            pair_key_of("Shop-Primary-Data", &replicas[0]["KmsKeyId"]),
            (
                "Shop-Secondary-Network".to_string(),
                "us-west-2".to_string()
            )
        );
    }
    assert_eq!(
        names,
        BTreeSet::from([
            "Shop/PrimaryData/Database".to_string(),
            "Shop/PrimaryData/AppSecrets/GrafanaAdmin".to_string()
        ])
    );
    let admin = resources_of(pd, "AWS::SecretsManager::Secret")
        .into_iter()
        .find(|(_, s)| s["Properties"]["Name"] == "Shop/PrimaryData/AppSecrets/GrafanaAdmin")
        .unwrap()
        .1;
    assert_eq!(
        admin["Properties"]["GenerateSecretString"],
        json!({"ExcludePunctuation": true, "PasswordLength": 32})
    );
    for t in [pd, sd] {
        let instances = resources_of(t, "AWS::RDS::DBInstance");
        assert_eq!(instances.len(), 2);
        assert!(
            instances
                .iter()
                .all(|(_, i)| i["Properties"]["DBInstanceClass"] == "db.r6g.large")
        );
    }
    // The peer's private subnets, and nothing else of its VPC, are admitted on the DB port in
    // both Regions: one rule per subnet CIDR.
    let peer_rules = |t: &Value| -> BTreeMap<String, Value> {
        resources_of(t, "AWS::EC2::SecurityGroupIngress")
            .into_iter()
            .filter(|(_, r)| r["Properties"].get("CidrIp").is_some())
            .map(|(id, r)| (id.clone(), r["Properties"].clone()))
            .collect()
    };
    let private_cidrs = |stack: &str| -> BTreeSet<String> {
        let t = template(&a, stack);
        let public = common::public_subnets(t);
        resources_of(t, "AWS::EC2::Subnet")
            .into_iter()
            .filter(|(id, _)| !public.contains(*id))
            .map(|(_, s)| s["Properties"]["CidrBlock"].as_str().unwrap().to_string())
            .collect()
    };
    for (data, peer_site) in [(pd, "Shop-Secondary-Network"), (sd, "Shop-Primary-Network")] {
        let rules = peer_rules(data);
        let cidrs: BTreeSet<String> = rules
            .values()
            .map(|r| r["CidrIp"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(cidrs, private_cidrs(peer_site), "{peer_site}");
        assert_eq!(rules.len(), 3);
        assert!(
            !cidrs.contains("10.10.0.0/16") && !cidrs.contains("10.20.0.0/16"),
            "{cidrs:?}"
        );
        assert!(
            rules
                .values()
                .all(|r| r["FromPort"] == 3306 && r["ToPort"] == 3306)
        );
    }
    // Peering: requester with PeerRegion, routes in every private route table both ways.
    let pp = template(&a, "Shop-Primary-Peering");
    let sp = template(&a, "Shop-Secondary-Peering");
    assert_eq!(
        one(pp, "AWS::EC2::VPCPeeringConnection")["Properties"]["PeerRegion"],
        "us-west-2"
    );
    for (t, dest) in [(pp, "10.20.0.0/16"), (sp, "10.10.0.0/16")] {
        let routes = resources_of(t, "AWS::EC2::Route");
        assert_eq!(routes.len(), 3);
        assert!(
            routes
                .iter()
                .all(|(_, r)| r["Properties"]["DestinationCidrBlock"] == dest)
        );
    }
    assert_eq!(pair.database_connection().host, "db.shop.internal");
    assert_eq!(
        pair.database_connection().secret_name,
        "Shop/PrimaryData/Database"
    );
    // The instance role reads the two named secrets of its own Region and decrypts with its
    // site's pair key through Secrets Manager only; it lists nothing.
    for (site, region) in [
        ("Shop-Primary", "us-east-2"),
        ("Shop-Secondary", "us-west-2"),
    ] {
        let t = template(&a, site);
        assert!(!serde_json::to_string(t).unwrap().contains("ListSecrets"));
        let policies = resources_of(t, "AWS::IAM::Policy");
        assert_eq!(policies.len(), 2, "{site}");
        let mut read = BTreeSet::new();
        for (_, policy) in policies {
            let statements = policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap();
            assert_eq!(statements.len(), 2);
            let (get, decrypt) = (&statements[0], &statements[1]);
            assert_eq!(get["Action"], "secretsmanager:GetSecretValue");
            let pattern = get["Resource"]["Fn::Sub"].as_str().unwrap().to_string();
            let name = pattern
                .strip_prefix(
                    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:",
                )
                .and_then(|n| n.strip_suffix("-??????"))
                .unwrap_or_else(|| panic!("{pattern}"));
            read.insert(name.to_string());
            assert_eq!(decrypt["Action"], "kms:Decrypt");
            // The pair key of the site's Region, wired from its network stack.
            let key = decrypt["Resource"]["Ref"].as_str().unwrap();
            assert!(key.contains("PairKeyArn"), "{key}");
            let description = t["Parameters"][key]["Description"].as_str().unwrap();
            assert!(description.contains("-Network in"), "{description}");
            assert_eq!(
                decrypt["Condition"]["StringEquals"]["kms:ViaService"]["Fn::Sub"],
                "secretsmanager.${AWS::Region}.amazonaws.com"
            );
            assert_eq!(
                decrypt["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"],
                get["Resource"]
            );
        }
        assert_eq!(
            read,
            BTreeSet::from([
                "Shop/PrimaryData/Database".to_string(),
                "Shop/PrimaryData/AppSecrets/GrafanaAdmin".to_string()
            ]),
            "{site} ({region})"
        );
    }
    let asg = one(
        template(&a, "Shop-Primary"),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    assert!(
        asg["DependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("DatabaseSecretPolicy"))
    );
}

/// The data stacks' subnet groups take the site's subnets as wired parameters: checks that
/// every one resolves, through the producer's output, to a private subnet of the site, then
/// drops the group so the common single-template checks apply to the rest.
fn without_wired_subnet_groups(a: &dr_synth::Assembly, consumer: &str, t: &Value) -> Value {
    let mut t = t.clone();
    let groups: Vec<String> = resources_of(&t, "AWS::RDS::DBSubnetGroup")
        .into_iter()
        .map(|(k, _)| k.clone())
        .collect();
    for id in groups {
        let subnets = t["Resources"][&id]["Properties"]["SubnetIds"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(subnets.len() >= 2, "{id}: {subnets:?}");
        for s in subnets {
            let (stack, value) = produced_by(a, consumer, &s);
            let producer = template(a, &stack);
            let subnet = value["Ref"].as_str().unwrap();
            assert_eq!(producer["Resources"][subnet]["Type"], "AWS::EC2::Subnet");
            assert!(
                !common::public_subnets(producer).contains(subnet),
                "{id} uses public subnet {subnet} of {stack}"
            );
        }
        t["Resources"].as_object_mut().unwrap().remove(&id);
    }
    t
}

#[test]
fn templates_match_snapshots_are_secure_and_lint_clean() {
    let started = std::time::Instant::now();
    let (app, _) = app_of(&Spec::default());
    let a = synth_ok(&app);
    eprintln!("build + synthesis: {:?}", started.elapsed());
    for s in &a.stacks {
        let n: usize = type_counts(&s.template).iter().map(|(_, n)| n).sum();
        eprintln!(
            "{} ({}): {n} resources, {} bytes minified",
            s.name,
            s.region,
            s.template_body().len()
        );
        assert!(
            s.template_body().len() < dr_core::template::MAX_INLINE_TEMPLATE_BYTES,
            "{} too large",
            s.name
        );
        assert_secure(&without_wired_subnet_groups(&a, &s.name, &s.template));
        // The site stacks are the single-Region constructs' (snapshotted with the example);
        // these are the pair's own.
        if !matches!(s.name.as_str(), "Shop-Primary" | "Shop-Secondary") {
            insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_json_snapshot!(format!("dr_pair__{}", s.name), s.template);
            });
        }
    }
    lint(&a);
}

// ---------------------------------------------------------------------------------------
// The public zone

fn app_with_zone(zone: HostedZoneRef, domain: &str) -> App {
    let app = App::new("shop");
    let spec = Spec::default();
    let p = DrPairProps {
        hosted_zone: zone,
        domain: domain.into(),
        ..props(&spec)
    };
    DrPair::new(&app, "Shop", p, |site| seed_site(site, &spec));
    app
}

#[test]
fn a_created_zone_is_undelegated_so_it_warns_and_outputs_its_name_servers() {
    let app = app_with_zone(
        HostedZoneRef::create("shop.example.com"),
        "shop.example.com",
    );
    let a = synth_ok(&app);
    let w: Vec<&Diagnostic> = a
        .warnings
        .iter()
        .filter(|d| d.code == "DRK-DNS-002")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", a.warnings);
    assert_eq!(w[0].path, "Shop/Global/Dns");
    assert_eq!(
        w[0].message,
        "the public hosted zone shop.example.com is created by this app and is not delegated: nobody can resolve shop.example.com yet"
    );
    let g = template(&a, "Shop-Global");
    let zones: Vec<&Value> = resources_of(g, "AWS::Route53::HostedZone")
        .into_iter()
        .map(|(_, z)| z)
        .collect();
    assert_eq!(
        zones
            .iter()
            .filter(|z| z["Properties"].get("VPCs").is_none())
            .count(),
        1,
        "one public zone"
    );
    let out = g["Outputs"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with("DnsNameServers"))
        .unwrap()
        .1;
    assert_eq!(out["Value"]["Fn::Join"][1].as_array().unwrap().len(), 4);
    let created = &a.dr_pairs[0]["traffic"]["hostedZone"]["created"];
    assert_eq!(
        g["Resources"][created["logicalId"].as_str().unwrap()]["Type"],
        "AWS::Route53::HostedZone"
    );
    lint(&a);
}

#[test]
fn an_existing_zone_needs_its_id_and_must_hold_the_domain() {
    let app = app_with_zone(
        HostedZoneRef::existing("", "example.com"),
        "shop.example.com",
    );
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-DNS-001".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert!(
        errors[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("HostedZoneRef::existing(id, name)")
    );

    let app = app_with_zone(
        HostedZoneRef::existing("Z0123456789ABCDEFGHIJ", "example.org"),
        "shop.example.com",
    );
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-DNS-009".to_string(), "Shop".to_string())],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0].message,
        "the domain `shop.example.com` is not inside the hosted zone `example.org`"
    );
}

#[test]
fn a_database_only_in_the_dr_site_is_reported() {
    let app = App::new("shop");
    let spec = Spec::default();
    DrPair::new(&app, "Shop", props(&spec), |site| {
        let vpc = site_vpc(site);
        let fleet = Ec2Fleet::new(site, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
        let alb = Alb::new(
            site,
            "Lb",
            AlbProps::builder()
                .vpc(&vpc)
                .targets(fleet.app_target())
                .build(),
        );
        site.serve(&alb);
        if !site.is_primary() {
            assert!(site.database(&vpc, &[fleet.security_group_id()]).is_none());
        }
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [
            (
                "DRK-PAIR-004".to_string(),
                "Shop/SecondaryNetwork/Network".to_string()
            ),
            ("DRK-PAIR-004".into(), "Shop/Primary".into())
        ],
        "{errors:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// The pair's keys and app secrets

/// Each network stack holds its Region's pair key: rotated, administered by the account,
/// usable by CloudWatch alarms for encrypted SNS topics, with the same alias in both Regions.
#[test]
fn each_site_holds_a_rotated_pair_key_of_its_region() {
    let (app, pair) = app_of(&Spec::default());
    let a = synth_ok(&app);
    for (role, stack) in [
        (SiteRole::Primary, "Shop-Primary-Network"),
        (SiteRole::Secondary, "Shop-Secondary-Network"),
    ] {
        assert_eq!(
            pair.pair_key(role).scope().stack_name().as_deref(),
            Some(stack)
        );
        let t = template(&a, stack);
        // Beside the EKS cluster's own key.
        let keys: Vec<_> = resources_of(t, "AWS::KMS::Key")
            .into_iter()
            .filter(|(id, _)| id.starts_with("PairKey"))
            .collect();
        assert_eq!(keys.len(), 1, "{stack}");
        let (id, key) = keys[0];
        let p = &key["Properties"];
        assert_eq!(p["EnableKeyRotation"], true);
        assert_eq!(p["PendingWindowInDays"], 30);
        let statements = p["KeyPolicy"]["Statement"].as_array().unwrap();
        assert_eq!(
            statements[0]["Principal"]["AWS"]["Fn::Sub"],
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
        );
        let cloudwatch = statements
            .iter()
            .find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com")
            .expect("a statement for CloudWatch alarms");
        assert_eq!(
            cloudwatch["Action"],
            json!(["kms:Decrypt", "kms:GenerateDataKey*"])
        );
        assert!(
            statements
                .iter()
                .all(|s| s["Principal"] != json!("*") && s["Principal"]["AWS"] != json!("*")),
            "no anonymous principal"
        );
        let alias = one(t, "AWS::KMS::Alias");
        assert_eq!(alias["Properties"]["AliasName"], "alias/drkit/Shop");
        assert_eq!(alias["Properties"]["TargetKeyId"], json!({ "Ref": id }));
    }
}

fn app_with_secret_calls(calls: impl Fn(&SiteScope) + 'static) -> App {
    let app = App::new("shop");
    let spec = Spec::default();
    DrPair::new(&app, "Shop", props(&spec), move |site| {
        seed_site(site, &spec);
        calls(site);
    });
    app
}

#[test]
fn an_app_secret_id_that_is_not_letters_and_digits_is_one_error() {
    let app = app_with_secret_calls(|site| {
        site.app_secret("grafana-admin");
    });
    let errors = errors_of(&app);
    // One slip in the closure: one error, at the primary site, the DR site's in `also`.
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-010".to_string(), "Shop/Primary".to_string())],
        "{errors:#?}"
    );
    assert_eq!(errors[0].also_at, ["Shop/Secondary"]);
    assert!(
        errors[0].message.contains("`grafana-admin`"),
        "{}",
        errors[0].message
    );
}

#[test]
fn an_app_secret_asked_for_by_the_dr_site_only_is_reported() {
    let app = app_with_secret_calls(|site| {
        if !site.is_primary() {
            site.app_secret("ReportsKey");
        }
    });
    let errors = errors_of(&app);
    assert_eq!(
        codes_and_paths(&errors),
        [("DRK-PAIR-011".to_string(), "Shop/Secondary".to_string())],
        "{errors:#?}"
    );
}

/// The same id twice is one secret; each id its own, named after the pair.
#[test]
fn app_secrets_are_created_once_per_id_and_named_after_the_pair() {
    let app = app_with_secret_calls(|site| {
        let a = site.app_secret("ReportsKey");
        let b = site.app_secret("ReportsKey");
        assert_eq!(a, b);
        assert_eq!(a.name(), "Shop/PrimaryData/AppSecrets/ReportsKey");
        assert_eq!(a.id(), "ReportsKey");
    });
    let a = synth_ok(&app);
    let pd = template(&a, "Shop-Primary-Data");
    let names: BTreeSet<&str> = resources_of(pd, "AWS::SecretsManager::Secret")
        .into_iter()
        .map(|(_, s)| s["Properties"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "Shop/PrimaryData/Database",
            "Shop/PrimaryData/AppSecrets/GrafanaAdmin",
            "Shop/PrimaryData/AppSecrets/ReportsKey"
        ])
    );
    // Only the primary's data stack holds secrets; the DR Region gets replicas.
    assert!(
        resources_of(
            template(&a, "Shop-Secondary-Data"),
            "AWS::SecretsManager::Secret"
        )
        .is_empty()
    );
}

/// Each Region has an alarm topic on its pair key; the traffic switch (in the DR Region)
/// notifies the DR Region's topic on both transitions, and the optional email subscribes to
/// both topics.
#[test]
fn the_traffic_switch_notifies_the_dr_regions_alarm_topic() {
    let spec = Spec::default();
    let app = App::new("shop");
    let pair = DrPair::new(
        &app,
        "Shop",
        DrPairProps {
            alarm_email: Some("ops@example.com".into()),
            ..props(&spec)
        },
        |site| seed_site(site, &spec),
    );
    let a = synth_ok(&app);
    for (stack, role) in [
        ("Shop-Primary-Network", SiteRole::Primary),
        ("Shop-Secondary-Network", SiteRole::Secondary),
    ] {
        let t = template(&a, stack);
        let topic = one(t, "AWS::SNS::Topic");
        let key = pair.pair_key(role).logical_id();
        assert_eq!(
            topic["Properties"]["KmsMasterKeyId"],
            json!({"Fn::GetAtt": [key, "Arn"]}),
            "{stack}: the topic is on the Region's pair key"
        );
        let email = one(t, "AWS::SNS::Subscription");
        assert_eq!(email["Properties"]["Protocol"], "email");
        assert_eq!(email["Properties"]["Endpoint"], "ops@example.com");
        let policy = one(t, "AWS::SNS::TopicPolicy");
        assert_eq!(
            policy["Properties"]["PolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "cloudwatch.amazonaws.com"
        );
    }
    let global = template(&a, "Shop-Global");
    let alarm = one(global, "AWS::CloudWatch::Alarm");
    assert_eq!(alarm["Properties"]["ActionsEnabled"], true);
    let actions = &alarm["Properties"]["AlarmActions"];
    assert_eq!(actions, &alarm["Properties"]["OKActions"]);
    // The DR site's topic, wired from Shop-Secondary-Network (same Region) as a parameter.
    let param = actions[0]["Ref"].as_str().expect("a wired parameter");
    let description = global["Parameters"][param]["Description"].as_str().unwrap();
    assert!(
        description.contains("of stack Shop-Secondary-Network in us-west-2"),
        "{description}"
    );
    assert!(description.contains("Alarms"), "{description}");
    assert!(resources_of(global, "AWS::SNS::Topic").is_empty());
    lint(&a);
}

// ---------------------------------------------------------------------------------------
// Stack layout: the data tier needs the network only

/// The database's security group is created with the network and the rules admitting the
/// site's clients beside them, in the site stack, so the data stacks wait for the network
/// stacks only: an EKS cluster's security group exists only once the cluster does.
#[test]
fn the_database_security_group_lives_with_the_network_and_its_client_rules_with_the_clients() {
    let (app, pair) = app_of(&Spec::default());
    let a = synth_ok(&app);
    for (role, network, site, data) in [
        (
            SiteRole::Primary,
            "Shop-Primary-Network",
            "Shop-Primary",
            "Shop-Primary-Data",
        ),
        (
            SiteRole::Secondary,
            "Shop-Secondary-Network",
            "Shop-Secondary",
            "Shop-Secondary-Data",
        ),
    ] {
        assert_eq!(pair.network_stack(role).name(), network);
        let n = template(&a, network);
        let groups: Vec<_> = resources_of(n, "AWS::EC2::SecurityGroup")
            .into_iter()
            .filter(|(id, _)| id.starts_with("DatabaseSecurityGroup"))
            .collect();
        assert_eq!(groups.len(), 1, "{network}");
        assert!(
            groups[0].1["Properties"]
                .get("SecurityGroupIngress")
                .is_none(),
            "{network}: its rules are resources of the stacks that know the clients"
        );
        let d = template(&a, data);
        assert!(
            resources_of(d, "AWS::EC2::SecurityGroup").is_empty(),
            "{data}"
        );
        let cluster = one(d, "AWS::RDS::DBCluster");
        let param = cluster["Properties"]["VpcSecurityGroupIds"][0]["Ref"]
            .as_str()
            .expect("the group, wired from the network stack");
        let description = d["Parameters"][param]["Description"].as_str().unwrap();
        assert!(
            description.contains(&format!("of stack {network} in")),
            "{description}"
        );
        // One rule per client (the fleet's group and the EKS cluster's), in the site stack.
        let s = template(&a, site);
        let clients: BTreeSet<String> = resources_of(s, "AWS::EC2::SecurityGroupIngress")
            .into_iter()
            .filter(|(id, _)| id.starts_with("DatabaseClient"))
            .map(|(_, r)| {
                let p = &r["Properties"];
                assert_eq!(
                    (p["FromPort"].clone(), p["ToPort"].clone()),
                    (json!(3306), json!(3306))
                );
                assert!(
                    p["GroupId"]["Ref"]
                        .as_str()
                        .unwrap()
                        .contains("DatabaseSecurityGroup")
                );
                p["SourceSecurityGroupId"]["Fn::GetAtt"][1]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            clients,
            BTreeSet::from(["ClusterSecurityGroupId".to_string(), "GroupId".to_string()]),
            "{site}"
        );
        let deps = &a.stack(data).unwrap().dependencies;
        assert!(
            !deps.iter().any(|d| d == site),
            "{data} waits for {site}: {deps:?}"
        );
    }
}

/// A VPC left in the site stack still builds, with a warning saying what it costs and how to
/// move it.
#[test]
fn a_vpc_in_the_site_stack_is_a_warning_naming_the_network_stack() {
    let app = App::new("shop");
    let spec = Spec::default();
    DrPair::new(&app, "Shop", props(&spec), |site| {
        let vpc = site_vpc_in(site, site);
        let fleet = Ec2Fleet::new(site, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
        serve_and_store(site, &vpc, &fleet);
    });
    let a = synth_ok(&app);
    let warnings: Vec<&Diagnostic> = a
        .warnings
        .iter()
        .filter(|d| d.code == "DRK-PAIR-012")
        .collect();
    assert_eq!(
        warnings.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
        ["Shop/Primary/Network", "Shop/Secondary/Network"]
    );
    assert!(
        warnings[0].message.contains("site stack `Shop-Primary`"),
        "{}",
        warnings[0].message
    );
    assert!(
        warnings[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("Vpc::new(site.network(), \"Network\", …)")
    );
    // The data stack then follows the site stack, which holds the VPC.
    assert!(
        a.stack("Shop-Primary-Data")
            .unwrap()
            .dependencies
            .contains(&"Shop-Primary".to_string())
    );
}
