//! Every validator, each on its exact message: bad input never panics, it is reported on the
//! construct's path with what is wrong and how to fix it.

use crate::common;

use common::{diagnostics, only, stack};
use dr_aws_constructs::validate::{check_global_db_instance_class, cidrs_overlap};
use dr_aws_constructs::*;
use dr_core::{App, Region, Severity};

fn azs(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn seed_lists_us_west_1_zones_under_us_west_2() {
    let app = App::new("t");
    let s = stack(&app, "SiteWest", Region::UsWest2);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .azs(azs(&["us-west-1a", "us-west-1b", "us-west-1c"]))
            .build(),
    );
    let d = diagnostics(&app);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(d.iter().all(|d| d.code == "DRK-AZ-001"
        && d.path == "SiteWest/Network"
        && d.severity == Severity::Error));
    assert_eq!(
        d[0].message,
        "Availability Zone `us-west-1a` is in us-west-1, not in us-west-2, where this stack deploys"
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some(
            "use zones of us-west-2 (us-west-2a, us-west-2b, us-west-2c, us-west-2d), or put this stack in us-west-1"
        )
    );
    assert_eq!(
        d[2].message,
        "Availability Zone `us-west-1c` is in us-west-1, not in us-west-2, where this stack deploys"
    );
}

#[test]
fn us_west_1_has_only_two_usable_zones() {
    let app = App::new("t");
    let s = stack(&app, "SiteWest", Region::UsWest1);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .azs(azs(&["us-west-1a", "us-west-1b", "us-west-1c"]))
            .build(),
    );
    let d = only(&app, "DRK-AZ-003");
    assert_eq!(
        d.message,
        "3 Availability Zones asked for, but us-west-1 has only 2 usable per account"
    );
    assert_eq!(d.hint.as_deref(), Some("use at most 2 zones in us-west-1"));

    // The same limit applies when the zones come from Fn::GetAZs (3 by default).
    let app = App::new("t");
    let s = stack(&app, "SiteWest", Region::UsWest1);
    Vpc::new(&s, "Network", VpcProps::builder().build());
    assert_eq!(
        only(&app, "DRK-AZ-003").message,
        "3 Availability Zones asked for, but us-west-1 has only 2 usable per account"
    );

    let app = App::new("t");
    let s = stack(&app, "SiteWest", Region::UsWest1);
    Vpc::new(&s, "Network", VpcProps::builder().az_count(2).build());
    assert!(diagnostics(&app).is_empty());
}

#[test]
fn unknown_and_duplicate_zones() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsWest2);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .azs(azs(&["us-west-2z", "us-west-2b", "us-west-2b"]))
            .build(),
    );
    let d = only(&app, "DRK-AZ-002");
    assert_eq!(
        d.message,
        "`us-west-2z` is not an Availability Zone of us-west-2"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "did you mean `us-west-2a`? The zones of us-west-2 are us-west-2a, us-west-2b, us-west-2c, us-west-2d"
        )
    );
    let d = only(&app, "DRK-AZ-004");
    assert_eq!(d.message, "Availability Zone `us-west-2b` is listed twice");
}

#[test]
fn a_single_zone_is_too_few() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder().azs(azs(&["us-east-2a"])).build(),
    );
    let d = only(&app, "DRK-AZ-005");
    assert_eq!(
        d.message,
        "only 1 Availability Zone given; a load balancer or a database in this VPC would need subnets in at least 2"
    );
}

/// The zones are checked when the VPC is built, before its load balancer or database: the
/// message names, at synthesis, only what the Region's stacks hold (no EKS cluster here).
#[test]
fn too_few_zones_names_only_what_the_region_holds() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    assert!(!dr_aws_constructs::validate::check_az_count(
        &s,
        "az_count",
        Region::UsEast2,
        1
    ));
    let empty = || dr_core::Expr::from(serde_json::json!({}));
    s.add_resource("Lb", "AWS::ElasticLoadBalancingV2::LoadBalancer", empty());
    let data = stack(&app, "SiteData", Region::UsEast2);
    data.add_resource("Subnets", "AWS::RDS::DBSubnetGroup", empty());
    let elsewhere = stack(&app, "Other", Region::UsWest2);
    elsewhere.add_resource("Eks", "AWS::EKS::Cluster", empty());
    let d = only(&app, "DRK-AZ-005");
    assert_eq!(d.path, "Site");
    assert_eq!(
        d.message,
        "only 1 Availability Zone given; the load balancer and the Aurora DB subnet group each need subnets in at least 2"
    );
    s.add_resource("Eks", "AWS::EKS::Cluster", empty());
    assert!(
        only(&app, "DRK-AZ-005").message.contains(
            "the load balancer, the EKS cluster and the Aurora DB subnet group each need"
        )
    );
}

#[test]
fn misspelt_instance_type_suggests_the_nearest() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .node_instance_type("t3.meduim")
            .build(),
    );
    Ec2Fleet::new(
        &s,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .instance_type("t3.mirco")
            .build(),
    );
    let d = diagnostics(&app);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].path, "Site/Eks");
    assert_eq!(
        d[0].message,
        "unknown EC2 instance type `t3.meduim`; did you mean `t3.medium`?"
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some("set node_instance_type to `t3.medium`")
    );
    assert_eq!(d[1].path, "Site/Grafana");
    assert_eq!(
        d[1].message,
        "unknown EC2 instance type `t3.mirco`; did you mean `t3.micro`?"
    );
    assert_eq!(
        d[1].hint.as_deref(),
        Some("set instance_type to `t3.micro`")
    );

    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Ec2Fleet::new(
        &s,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .instance_type("quantum.huge")
            .build(),
    );
    assert_eq!(
        only(&app, "DRK-EC2-001").message,
        "unknown EC2 instance type `quantum.huge`"
    );
}

#[test]
fn seed_db_class_is_not_accepted_by_aurora_mysql_3() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.t2.small")
            .build(),
    );
    let d = only(&app, "DRK-RDS-001");
    assert_eq!(d.path, "Site/Db");
    assert_eq!(
        d.message,
        "DB instance class `db.t2.small` is not supported by Aurora MySQL version 3 (engine version 8.0.mysql_aurora.3.10.3)"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "use db.t3.medium or db.t4g.medium, the smallest classes Aurora MySQL version 3 accepts, or a memory-optimized class such as db.r6g.large (which an Aurora global database requires)"
        )
    );
    assert_eq!(diagnostics(&app).len(), 1);
}

#[test]
fn class_support_follows_the_engine_version() {
    // Aurora MySQL 2 still takes db.t2.small; PostgreSQL does not.
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        "Old",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.t2.small")
            .engine_version("5.7.mysql_aurora.2.12.4")
            .build(),
    );
    RdsCluster::new(
        &s,
        "Pg",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .engine(AuroraEngine::PostgreSql)
            .instance_class("db.t2.small")
            .build(),
    );
    let d = only(&app, "DRK-RDS-001");
    assert_eq!(d.path, "Site/Pg");
    assert_eq!(
        d.message,
        "DB instance class `db.t2.small` is not supported by Aurora PostgreSQL (engine version 16.10)"
    );

    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.r6g.lrage")
            .build(),
    );
    let d = only(&app, "DRK-RDS-002");
    assert_eq!(
        d.message,
        "unknown DB instance class `db.r6g.lrage`; did you mean `db.r6g.large`?"
    );

    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .engine_version("9.1")
            .build(),
    );
    // One warning for the unknown version, which also says the class went unchecked (no
    // second DRK-RDS-003 for the same slip).
    let d = only(&app, "DRK-RDS-013");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.prop.as_deref(), Some("engine_version"));
    assert_eq!(
        d.message,
        format!(
            "Aurora MySQL engine version `9.1` is not in drkit's engine-version table (from DescribeDBEngineVersions as of {}); it may be newer than the table; drkit cannot tell its major line, so the instance class was not checked against it either",
            dr_core::facts::rds::ENGINE_VERSIONS_AS_OF
        )
    );
    assert!(diagnostics(&app).iter().all(|d| d.code != "DRK-RDS-003"));
}

#[test]
fn global_database_needs_memory_optimized_classes() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    let g = GlobalDatabase::new(&s, "Global", GlobalDatabaseProps::builder().build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.t3.medium")
            .global(g.primary())
            .build(),
    );
    let d = only(&app, "DRK-RDS-004");
    assert_eq!(
        d.message,
        "DB instance class `db.t3.medium` is burstable; an Aurora global database accepts only memory-optimized classes"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("use db.r6g.large or another db.r5, db.r6g, db.r6i, db.r7g or db.r8g class")
    );
    // db.t3.medium is fine for a standalone Aurora MySQL 3 cluster: only the global check fires.
    assert_eq!(diagnostics(&app).len(), 1);

    // DrPair calls the check directly; db.t2.small fails both checks.
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    assert!(!check_global_db_instance_class(
        &s,
        "instance_class",
        "db.t2.small"
    ));
    assert!(check_global_db_instance_class(
        &s,
        "instance_class",
        "db.r7g.large"
    ));
    assert_eq!(
        only(&app, "DRK-RDS-004").message,
        "DB instance class `db.t2.small` is burstable; an Aurora global database accepts only memory-optimized classes"
    );
}

#[test]
fn invalid_cidrs() {
    let cases = [
        (
            "10.0.0.0/33",
            "DRK-CIDR-001",
            "VPC CIDR `10.0.0.0/33` is not a valid IPv4 CIDR block",
            "write it as a.b.c.d/n, e.g. 10.10.0.0/16",
        ),
        (
            "10.0.0.1/16",
            "DRK-CIDR-002",
            "VPC CIDR `10.0.0.1/16` has host bits set",
            "did you mean `10.0.0.0/16`?",
        ),
        (
            "10.0.0.0/8",
            "DRK-CIDR-003",
            "VPC CIDR `10.0.0.0/8` is a /8; a VPC must be between /16 and /28",
            "use a /16 such as 10.10.0.0/16",
        ),
        (
            "10.0.0.0/26",
            "DRK-CIDR-004",
            "VPC CIDR `10.0.0.0/26` is too small for 6 subnets (one public and one private per Availability Zone)",
            "use a /25 or larger VPC CIDR (subnets are at least /28), e.g. a /16",
        ),
    ];
    for (cidr, code, message, hint) in cases {
        let app = App::new("t");
        let s = stack(&app, "Site", Region::UsEast2);
        Vpc::new(&s, "Network", VpcProps::builder().cidr(cidr).build());
        let d = only(&app, code);
        assert_eq!(d.message, message);
        assert_eq!(d.hint.as_deref(), Some(hint));
        assert_eq!(diagnostics(&app).len(), 1, "{cidr}");
        assert!(dr_synth::synth(&app).is_err());
    }

    // An explicit subnet prefix that does not fit: the /24 holds six /27s, so the prefix is
    // what is out of line, and the error names it (not the CIDR).
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .cidr("10.0.0.0/24")
            .subnet_prefix(25)
            .build(),
    );
    let d = only(&app, "DRK-CIDR-008");
    assert_eq!(d.prop.as_deref(), Some("subnet_prefix"));
    assert_eq!(
        d.message,
        "6 /25 subnets (one public and one private per Availability Zone) do not fit in a /24 VPC CIDR"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("set subnet_prefix to 27 or more (at most 28), or use a larger VPC CIDR")
    );
    assert_eq!(diagnostics(&app).len(), 1);
}

#[test]
fn overlapping_cidrs() {
    let a = "10.0.0.0/16".parse().unwrap();
    let b = "10.0.128.0/17".parse().unwrap();
    let c = "10.20.0.0/16".parse().unwrap();
    assert!(cidrs_overlap(&a, &b));
    assert!(!cidrs_overlap(&a, &c));
}

/// A fleet of `min`, `desired`, `max` (each `None` when not set) in a fresh app.
fn fleet_app(min: Option<u32>, desired: Option<u32>, max: Option<u32>) -> App {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Ec2Fleet::new(
        &s,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .maybe_min_size(min)
            .maybe_desired_capacity(desired)
            .maybe_max_size(max)
            .build(),
    );
    app
}

#[test]
fn fleet_desired_above_a_max_set_by_hand_names_max_size() {
    let app = fleet_app(None, Some(4), Some(3));
    let d = only(&app, "DRK-CAP-002");
    assert_eq!(d.message, "desired_capacity 4 is above max_size 3");
    assert_eq!(
        d.hint.as_deref(),
        Some("raise max_size to at least 4, or lower desired_capacity to 3")
    );
    assert_eq!(diagnostics(&app).len(), 1, "{:#?}", diagnostics(&app));
}

#[test]
fn fleet_desired_below_a_min_set_by_hand_names_min_size() {
    let app = fleet_app(Some(3), Some(2), None);
    let d = only(&app, "DRK-CAP-002");
    assert_eq!(d.message, "desired_capacity 2 is below min_size 3");
    assert_eq!(
        d.hint.as_deref(),
        Some("lower min_size to at most 2, or raise desired_capacity to 3")
    );
}

#[test]
fn fleet_min_above_max() {
    let app = fleet_app(Some(4), Some(4), Some(3));
    let d = only(&app, "DRK-CAP-001");
    assert_eq!(d.message, "min_size 4 is greater than max_size 3");
    assert_eq!(
        d.hint.as_deref(),
        Some("lower min_size to at most 3, or raise max_size to at least 4")
    );
}

/// Any one size, or any two that agree, leaves the fleet valid: the unset ones fit. A maximum
/// set so that the minimum fits it exactly (`max_size` alone, or the desired capacity equal to
/// it) is valid too, but leaves the rolling update no room: those get the rolling-update
/// warning (`DRK-CAP-004`) and nothing else.
#[test]
fn fleet_sizes_left_unset_never_conflict() {
    for (min, desired, max) in [
        (None, Some(0), None),
        (None, Some(1), None),
        (None, Some(10), None),
        (Some(0), None, None),
        (Some(7), None, None),
        (None, None, Some(1)),
        (None, None, Some(9)),
        (Some(1), None, Some(2)),
        (None, Some(2), Some(2)),
        (Some(5), Some(6), None),
    ] {
        let app = fleet_app(min, desired, max);
        let codes: Vec<String> = diagnostics(&app).into_iter().map(|d| d.code).collect();
        let no_headroom = matches!(
            (min, desired, max),
            (None, None, Some(1)) | (None, Some(2), Some(2))
        );
        let expected: &[&str] = if no_headroom { &["DRK-CAP-004"] } else { &[] };
        assert_eq!(
            codes,
            expected,
            "{min:?} {desired:?} {max:?}: {:#?}",
            diagnostics(&app)
        );
    }
}

/// A fleet whose maximum is its minimum cannot start a new instance before an old one stops:
/// the rolling update keeps one fewer in service (AWS refuses `MinInstancesInService` equal
/// to `MaxSize`), and says so on the fleet, naming the size that fixes it.
#[test]
fn a_fleet_whose_max_size_is_its_min_size_is_warned_that_updates_dip_below_it() {
    let app = fleet_app(Some(3), None, Some(3));
    let d = only(&app, "DRK-CAP-004");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.path, "Site/Grafana");
    assert_eq!(
        d.message,
        "max_size 3 equals min_size 3: a rolling update (a new AMI or new user data) keeps only 2 in service, below min_size"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "raise max_size to 4 so that a new instance starts before an old one stops, or leave max_size unset"
        )
    );
    assert_eq!(diagnostics(&app).len(), 1, "{:#?}", diagnostics(&app));
    // Opting out of rolling updates leaves nothing to warn about.
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Ec2Fleet::new(
        &s,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .min_size(3)
            .max_size(3)
            .update_policy(FleetUpdatePolicy::Manual)
            .build(),
    );
    assert!(diagnostics(&app).is_empty(), "{:#?}", diagnostics(&app));
}

#[test]
fn eks_node_group_with_zero_nodes() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .node_min_size(0)
            .node_desired_size(0)
            .build(),
    );
    let d = only(&app, "DRK-CAP-003");
    assert_eq!(d.prop.as_deref(), Some("node_desired_size"));
    assert_eq!(
        d.message,
        "the EKS node group has zero nodes (node_desired_size 0); no pod can be scheduled"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("set node_desired_size to at least 1 (2 keeps a node up while another is replaced)")
    );
}

#[test]
fn grpc_needs_https_and_plain_http_warns() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Alb::new(
        &s,
        "Lb",
        AlbProps::builder()
            .vpc(&vpc)
            .protocol_version(ProtocolVersion::Grpc)
            .build(),
    );
    let d = diagnostics(&app);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "DRK-ALB-002");
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(
        d[0].message,
        "protocol_version GRPC needs an HTTPS listener, but no certificate_arn was given"
    );
    assert_eq!(
        d[0].hint.as_deref(),
        Some(
            "set certificate_arn to an ACM certificate of this Region, or use ProtocolVersion::Http1"
        )
    );

    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Alb::new(&s, "Lb", AlbProps::builder().vpc(&vpc).build());
    let d = only(&app, "DRK-ALB-001");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "the load balancer serves plain HTTP: no certificate_arn was given"
    );
    assert!(
        dr_synth::synth(&app).is_ok(),
        "a warning does not stop synthesis"
    );
}

#[test]
fn nothing_opens_to_the_whole_internet() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .allowed_cidrs(["0.0.0.0/0"])
            .build(),
    );
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .public_access_cidrs(["0.0.0.0/0"])
            .build(),
    );
    let d = diagnostics(&app);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(
        d[0].message,
        "allowed_cidrs entry `0.0.0.0/0` opens this to the whole internet"
    );
    assert_eq!(d[1].path, "Site/Eks");
    assert_eq!(
        d[1].message,
        "public_access_cidrs entry `0.0.0.0/0` opens this to the whole internet"
    );
}

#[test]
fn arm_node_type_needs_an_arm_ami_type() {
    let app = App::new("t");
    let s = stack(&app, "Site", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .node_instance_type("t4g.medium")
            .build(),
    );
    let d = only(&app, "DRK-EKS-004");
    assert_eq!(
        d.message,
        "node instance type `t4g.medium` does not boot AMI type `AL2023_x86_64_STANDARD` (different CPU architecture)"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "set node_ami_type to AL2023_ARM_64_STANDARD, or pick an instance type of the AMI's architecture"
        )
    );
}

#[test]
fn all_of_the_seeds_slips_are_reported_together() {
    let app = App::new("t");
    let s = stack(&app, "SiteWest", Region::UsWest2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .azs(azs(&["us-west-1a", "us-west-1b", "us-west-1c"]))
            .build(),
    );
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .node_instance_type("t3.meduim")
            .build(),
    );
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.t2.small")
            .build(),
    );
    let err = dr_synth::synth(&app).expect_err("synthesis must stop");
    let codes: Vec<&str> = err.errors().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "DRK-AZ-001",
            "DRK-AZ-001",
            "DRK-AZ-001",
            "DRK-EC2-001",
            "DRK-RDS-001"
        ]
    );
}

#[test]
fn odd_input_is_reported_never_a_panic() {
    let cidrs = [
        "",
        "banana",
        "10.0.0.0",
        "300.0.0.0/16",
        "10.0.0.0/0",
        "10.0.0.0/28",
        "::/0",
    ];
    for cidr in cidrs {
        for az_count in [0usize, 1, 7, 64] {
            let app = App::new("t");
            let s = stack(&app, "Site", Region::UsEast1);
            let vpc = Vpc::new(
                &s,
                "Network",
                VpcProps::builder()
                    .cidr(cidr)
                    .az_count(az_count)
                    .subnet_prefix(200)
                    .build(),
            );
            Ec2Fleet::new(
                &s,
                "F",
                Ec2FleetProps::builder()
                    .vpc(&vpc)
                    .instance_type(String::new())
                    .root_volume_gib(0)
                    .max_size(0)
                    .build(),
            );
            RdsCluster::new(
                &s,
                "Db",
                RdsClusterProps::builder()
                    .vpc(&vpc)
                    .instances(0)
                    .backup_retention_days(0)
                    .master_username("1x")
                    .build(),
            );
            EksCluster::new(
                &s,
                "Eks",
                EksClusterProps::builder()
                    .vpc(&vpc)
                    .version("latest")
                    .node_max_size(0)
                    .build(),
            );
            let err = dr_synth::synth(&app).expect_err("odd input must be rejected");
            assert!(err.errors().count() >= 5, "{cidr} {az_count}: {err}");
        }
    }
}

#[test]
fn global_members_must_match_the_global_clusters_version() {
    let app = App::new("t");
    let p = stack(&app, "East", Region::UsEast2);
    let w = stack(&app, "West", Region::UsWest2);
    let vpc_p = Vpc::new(&p, "Network", VpcProps::builder().build());
    let vpc_w = Vpc::new(
        &w,
        "Network",
        VpcProps::builder().cidr("10.1.0.0/16").build(),
    );
    let g = GlobalDatabase::new(&p, "Global", GlobalDatabaseProps::builder().build());
    RdsCluster::new(
        &p,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc_p)
            .global(g.primary())
            .build(),
    );
    RdsCluster::new(
        &w,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc_w)
            .global(g.secondary(Region::UsEast2, None))
            .engine_version("8.0.mysql_aurora.3.10.2")
            .build(),
    );
    let d = only(&app, "DRK-RDS-010");
    assert_eq!(d.path, "West/Db");
    assert_eq!(
        d.message,
        "Aurora MySQL 8.0.mysql_aurora.3.10.2 differs from the global database's Aurora MySQL 8.0.mysql_aurora.3.10.3; every member of an Aurora global database runs the same engine version, patch level included"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "set engine_version to 8.0.mysql_aurora.3.10.3 (or leave it unset: a member runs its global database's version)"
        )
    );
}
