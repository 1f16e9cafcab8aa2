//! Each construct synthesized into a stack: an insta snapshot of the template (in the
//! top-level `snapshots/`), cfn-lint clean in four Regions, and the security checks.

use crate::common;

use std::time::Instant;

use common::{assert_secure, lint, stack, synth, template, type_counts};
use dr_aws_constructs::*;
use dr_core::{App, Region};
use serde_json::{Value, json};

fn snapshot(name: &str, value: &Value) {
    // Named by hand: the module path inside the one test binary (`it::constructs`) is not the
    // snapshot files' prefix.
    insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!(format!("constructs__{name}"), value);
    });
}

fn seed_azs(region: Region) -> Vec<String> {
    region
        .az_names()
        .iter()
        .take(3)
        .map(|s| s.to_string())
        .collect()
}

/// The seed's site: network, Grafana fleet behind an ALB, EKS and the Aurora cluster.
fn site(app: &App, id: &str, region: Region, cidr: &str, certificate_arn: Option<&str>) {
    let s = stack(app, id, region);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder().cidr(cidr).azs(seed_azs(region)).build(),
    );
    let fleet = Ec2Fleet::new(&s, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
    Alb::new(
        &s,
        "Lb",
        AlbProps::builder()
            .vpc(&vpc)
            .targets(fleet.app_target())
            .maybe_certificate_arn(certificate_arn)
            .build(),
    );
    let eks = EksCluster::new(&s, "Eks", EksClusterProps::builder().vpc(&vpc).build());
    RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .allowed_security_groups(vec![
                fleet.security_group_id(),
                eks.cluster_security_group_id(),
            ])
            .build(),
    );
}

#[test]
fn vpc_with_named_azs() {
    let app = App::new("t");
    let s = stack(&app, "Net", Region::UsEast2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .cidr("10.10.0.0/16")
            .azs(seed_azs(Region::UsEast2))
            .build(),
    );
    assert_eq!(vpc.private_subnet_ids().len(), 3);
    assert_eq!(vpc.private_subnets()[0].cidr, "10.10.96.0/19");
    let a = synth(&app);
    let t = template(&a, "Net");
    // Named AZs become typed parameters with the names as defaults (no W3010).
    let params = t["Parameters"].as_object().unwrap();
    let azs: Vec<&Value> = params
        .values()
        .filter(|p| p["Type"] == "AWS::EC2::AvailabilityZone::Name")
        .collect();
    assert_eq!(
        azs.iter().map(|p| p["Default"].clone()).collect::<Vec<_>>(),
        [
            json!("us-east-2a"),
            json!("us-east-2b"),
            json!("us-east-2c")
        ]
    );
    assert_eq!(common::public_subnets(t).len(), 3);
    // One route table for the three public subnets (one route to the internet gateway), one
    // per private subnet (each through its own NAT gateway).
    let counts = type_counts(t);
    assert!(
        counts.contains(&("AWS::EC2::RouteTable".into(), 4)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("AWS::EC2::SubnetRouteTableAssociation".into(), 6)),
        "{counts:?}"
    );
    let resources = t["Resources"].as_object().unwrap();
    let to_gateway: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::Route" && r["Properties"].get("GatewayId").is_some())
        .collect();
    assert_eq!(
        to_gateway.len(),
        1,
        "one default route to the internet gateway"
    );
    let public_table = &to_gateway[0]["Properties"]["RouteTableId"];
    let public_ids: Vec<Value> = vpc
        .public_subnets()
        .iter()
        .map(|s| json!({"Ref": s.resource.logical_id()}))
        .collect();
    for subnet in &public_ids {
        let association = resources
            .values()
            .find(|r| {
                r["Type"] == "AWS::EC2::SubnetRouteTableAssociation"
                    && &r["Properties"]["SubnetId"] == subnet
            })
            .expect("every public subnet is associated");
        assert_eq!(&association["Properties"]["RouteTableId"], public_table);
    }
    assert_eq!(vpc.internet_routes(true).len(), 1);
    assert_eq!(vpc.internet_routes(false).len(), 3);
    snapshot("vpc_named_azs", t);
    assert_secure(t);
    lint(&a);
}

#[test]
fn vpc_from_get_azs_with_a_single_nat() {
    let app = App::new("t");
    let s = stack(&app, "Net", Region::UsWest2);
    Vpc::new(
        &s,
        "Network",
        VpcProps::builder()
            .az_count(2)
            .nat_gateways(NatGateways::Single)
            .build(),
    );
    let a = synth(&app);
    let t = template(&a, "Net");
    let counts = type_counts(t);
    assert!(
        counts.contains(&("AWS::EC2::NatGateway".into(), 1)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("AWS::EC2::Subnet".into(), 4)),
        "{counts:?}"
    );
    assert!(
        t.get("Parameters")
            .is_none_or(|p| p.as_object().is_none_or(|m| m.is_empty()))
    );
    assert!(serde_json::to_string(t).unwrap().contains("Fn::GetAZs"));
    snapshot("vpc_get_azs_single_nat", t);
    assert_secure(t);
    lint(&a);
}

#[test]
fn fleet_behind_plain_http_alb_warns() {
    let app = App::new("t");
    let s = stack(&app, "Web", Region::UsEast2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder().azs(seed_azs(Region::UsEast2)).build(),
    );
    let fleet = Ec2Fleet::new(&s, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
    Alb::new(
        &s,
        "Lb",
        AlbProps::builder()
            .vpc(&vpc)
            .targets(fleet.app_target())
            .build(),
    );
    let a = synth(&app);
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert_eq!(a.warnings[0].code, "DRK-ALB-001");
    let t = template(&a, "Web");
    let asg = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::AutoScaling::AutoScalingGroup")
        .unwrap();
    // Behind the load balancer, yet replaced only on EC2 status checks (FleetHealthCheck).
    assert_eq!(asg["Properties"]["HealthCheckType"], "EC2");
    assert_eq!(asg["Properties"]["HealthCheckGracePeriod"], 300);
    assert_eq!(asg["Properties"]["DesiredCapacity"], "3");
    let lt = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EC2::LaunchTemplate")
        .unwrap();
    assert_eq!(
        lt["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"],
        "required"
    );
    assert_eq!(
        lt["Properties"]["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"]["Encrypted"],
        true
    );
    assert_eq!(
        lt["Properties"]["LaunchTemplateData"]["InstanceType"],
        "t3.micro"
    );
    let ami = t["Parameters"]
        .as_object()
        .unwrap()
        .values()
        .find(|p| p["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>")
        .unwrap();
    assert_eq!(ami["Default"], AL2023_X86_64_SSM);
    snapshot("fleet_alb_http", t);
    assert_secure(t);
    lint(&a);
}

/// The Auto Scaling group of a fleet built with `props` alone in a stack, and the assembly.
fn fleet_asg(props: impl FnOnce(&Vpc) -> Ec2FleetProps<'_>) -> (Value, dr_synth::Assembly) {
    let app = App::new("t");
    let s = stack(&app, "Web", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    Ec2Fleet::new(&s, "Fleet", props(&vpc));
    let a = synth(&app);
    let asg = common::one(template(&a, "Web"), "AWS::AutoScaling::AutoScalingGroup").clone();
    (asg, a)
}

/// The Auto Scaling group's (MinSize, MaxSize, DesiredCapacity) of a fleet built with `props`.
fn asg_sizes(props: impl FnOnce(&Vpc) -> Ec2FleetProps<'_>) -> (Value, Value, Value) {
    let (asg, _) = fleet_asg(props);
    let p = &asg["Properties"];
    (
        p["MinSize"].clone(),
        p["MaxSize"].clone(),
        p["DesiredCapacity"].clone(),
    )
}

/// As AWS CDK's AutoScalingGroup does, a desired capacity given alone widens the minimum that
/// would exclude it. Unlike the CDK, an unset maximum is one above the desired capacity (3/4/3
/// by default, where the CDK gives 3/3/3): the rolling update that brings a new AMI or new user
/// data to the instances keeps `MinSize` in service, which AWS accepts only below `MaxSize`, so
/// it needs one instance of headroom. A maximum set by hand is kept as set.
#[test]
fn fleet_desired_capacity_alone_widens_the_unset_bounds() {
    let sizes = |min: &str, max: &str, desired: &str| (json!(min), json!(max), json!(desired));
    assert_eq!(
        asg_sizes(|vpc| Ec2FleetProps::builder().vpc(vpc).build()),
        sizes("3", "4", "3")
    );
    assert_eq!(
        asg_sizes(|vpc| Ec2FleetProps::builder()
            .vpc(vpc)
            .desired_capacity(4)
            .build()),
        sizes("3", "5", "4")
    );
    assert_eq!(
        asg_sizes(|vpc| Ec2FleetProps::builder()
            .vpc(vpc)
            .desired_capacity(1)
            .build()),
        sizes("1", "2", "1")
    );
    assert_eq!(
        asg_sizes(|vpc| Ec2FleetProps::builder().vpc(vpc).max_size(6).build()),
        sizes("3", "6", "3")
    );
    assert_eq!(
        asg_sizes(|vpc| Ec2FleetProps::builder().vpc(vpc).max_size(2).build()),
        sizes("2", "2", "2")
    );
}

/// The rolling update as CloudFormation reads it, and cfn-lint accepts it: a pause of the
/// grace period in ISO 8601, cut to CloudFormation's maximum of an hour.
#[test]
fn a_rolling_update_pauses_for_the_grace_period_up_to_an_hour() {
    let rolling = |grace: u32| {
        let (asg, a) = fleet_asg(|vpc| {
            Ec2FleetProps::builder()
                .vpc(vpc)
                .health_check_grace_period_secs(grace)
                .build()
        });
        (asg["UpdatePolicy"]["AutoScalingRollingUpdate"].clone(), a)
    };
    let (policy, a) = rolling(DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS);
    assert_eq!(
        policy,
        json!({
            "MaxBatchSize": 1,
            "MinInstancesInService": 3,
            "PauseTime": "PT5M",
            "SuspendProcesses": ["HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification", "ScheduledActions"]
        })
    );
    lint(&a);
    assert_eq!(rolling(90).0["PauseTime"], "PT1M30S");
    assert_eq!(rolling(7200).0["PauseTime"], "PT1H");
}

#[test]
fn https_alb_redirects_http_and_speaks_grpc() {
    let app = App::new("t");
    let s = stack(&app, "Web", Region::UsWest2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder().cidr("10.20.0.0/16").build(),
    );
    let fleet = Ec2Fleet::new(
        &s,
        "Grafana",
        Ec2FleetProps::builder()
            .vpc(&vpc)
            .key_pair(KeyPair::Import("ops".into()))
            .ami(Ami::Id("ami-0123456789abcdef0".into()))
            .user_data("#!/bin/bash\ndnf install -y grafana\n")
            .build(),
    );
    let alb = Alb::new(
        &s,
        "Lb",
        AlbProps::builder()
            .vpc(&vpc)
            .targets(fleet.app_target())
            .certificate_arn("arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000")
            .protocol_version(ProtocolVersion::Grpc)
            .build(),
    );
    assert!(alb.https());
    let a = synth(&app);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let t = template(&a, "Web");
    let listeners: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::Listener")
        .collect();
    assert_eq!(listeners.len(), 2);
    assert!(
        listeners
            .iter()
            .any(|l| l["Properties"]["DefaultActions"][0]["Type"] == "redirect")
    );
    let tg = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup")
        .unwrap();
    assert_eq!(tg["Properties"]["ProtocolVersion"], "GRPC");
    assert_eq!(tg["Properties"]["HealthCheckPath"], "/AWS.ALB/healthcheck");
    assert_eq!(tg["Properties"]["Matcher"], json!({"GrpcCode": "12"}));
    snapshot("fleet_alb_https_grpc", t);
    assert_secure(t);
    lint(&a);
}

#[test]
fn eks_cluster_private_endpoint() {
    let app = App::new("t");
    let s = stack(&app, "K8s", Region::UsEast2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder().azs(seed_azs(Region::UsEast2)).build(),
    );
    EksCluster::new(&s, "Eks", EksClusterProps::builder().vpc(&vpc).build());
    let a = synth(&app);
    let t = template(&a, "K8s");
    let c = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EKS::Cluster")
        .unwrap();
    assert_eq!(
        c["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"],
        false
    );
    assert_eq!(
        c["Properties"]["ResourcesVpcConfig"]["EndpointPrivateAccess"],
        true
    );
    assert_eq!(c["Properties"]["Version"], DEFAULT_KUBERNETES_VERSION);
    let ng = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EKS::Nodegroup")
        .unwrap();
    assert_eq!(ng["Properties"]["ScalingConfig"]["DesiredSize"], 2);
    assert_eq!(ng["Properties"]["InstanceTypes"], json!(["t3.medium"]));
    assert_eq!(ng["Properties"]["AmiType"], "AL2023_x86_64_STANDARD");
    snapshot("eks_private", t);
    assert_secure(t);
    lint(&a);
}

#[test]
fn eks_cluster_public_for_listed_cidrs_only() {
    let app = App::new("t");
    let s = stack(&app, "K8s", Region::UsWest2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    EksCluster::new(
        &s,
        "Eks",
        EksClusterProps::builder()
            .vpc(&vpc)
            .public_access_cidrs(["203.0.113.0/24"])
            .build(),
    );
    let a = synth(&app);
    let t = template(&a, "K8s");
    let c = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EKS::Cluster")
        .unwrap();
    assert_eq!(
        c["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"],
        true
    );
    assert_eq!(
        c["Properties"]["ResourcesVpcConfig"]["PublicAccessCidrs"],
        json!(["203.0.113.0/24"])
    );
    assert_secure(t);
    lint(&a);
}

#[test]
fn rds_cluster_with_generated_secret() {
    let app = App::new("t");
    let s = stack(&app, "Data", Region::UsEast2);
    let vpc = Vpc::new(
        &s,
        "Network",
        VpcProps::builder().azs(seed_azs(Region::UsEast2)).build(),
    );
    let fleet = Ec2Fleet::new(&s, "Grafana", Ec2FleetProps::builder().vpc(&vpc).build());
    let db = RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .database_name("grafana")
            .allowed_security_groups(vec![fleet.security_group_id()])
            .build(),
    );
    assert!(db.secret_arn().is_some());
    assert_eq!(db.port(), 3306);
    let a = synth(&app);
    let t = template(&a, "Data");
    let res = t["Resources"].as_object().unwrap();
    let cluster = res
        .values()
        .find(|r| r["Type"] == "AWS::RDS::DBCluster")
        .unwrap();
    assert_eq!(cluster["DeletionPolicy"], "Snapshot");
    assert_eq!(cluster["UpdateReplacePolicy"], "Snapshot");
    assert_eq!(cluster["Properties"]["StorageEncrypted"], true);
    assert_eq!(cluster["Properties"]["DeletionProtection"], true);
    assert_eq!(cluster["Properties"]["Engine"], "aurora-mysql");
    assert!(
        cluster["Properties"]
            .get("ManageMasterUserPassword")
            .is_none()
    );
    let instances: Vec<&Value> = res
        .values()
        .filter(|r| r["Type"] == "AWS::RDS::DBInstance")
        .collect();
    assert_eq!(instances.len(), 2);
    assert!(
        instances
            .iter()
            .all(|i| i["DeletionPolicy"] == "Delete" && i["UpdateReplacePolicy"] == "Delete")
    );
    let secret = res
        .values()
        .find(|r| r["Type"] == "AWS::SecretsManager::Secret")
        .unwrap();
    assert_eq!(
        secret["Properties"]["GenerateSecretString"]["SecretStringTemplate"],
        r#"{"username":"dbadmin"}"#
    );
    assert_eq!(
        secret["Properties"]["GenerateSecretString"]["ExcludeCharacters"],
        PASSWORD_EXCLUDED_CHARACTERS
    );
    // The DB group admits the fleet's group only, on 3306.
    let sg = res
        .iter()
        .find(|(k, r)| k.starts_with("DbSecurityGroup") && r["Type"] == "AWS::EC2::SecurityGroup")
        .unwrap()
        .1;
    let rules = sg["Properties"]["SecurityGroupIngress"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["FromPort"], 3306);
    assert!(
        rules[0]["SourceSecurityGroupId"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap()
            .starts_with("GrafanaSecurityGroup")
    );
    snapshot("rds_cluster", t);
    assert_secure(t);
    lint(&a);
}

#[test]
fn global_database_primary_and_secondary_across_regions() {
    let app = App::new("t");
    let p = stack(&app, "DataEast", Region::UsEast2);
    let w = stack(&app, "DataWest", Region::UsWest2);
    let vpc_p = Vpc::new(
        &p,
        "Network",
        VpcProps::builder().cidr("10.10.0.0/16").build(),
    );
    let vpc_w = Vpc::new(
        &w,
        "Network",
        VpcProps::builder().cidr("10.20.0.0/16").build(),
    );
    let global = GlobalDatabase::new(&p, "Global", GlobalDatabaseProps::builder().build());
    let primary = RdsCluster::new(
        &p,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc_p)
            .global(global.primary())
            .secret_replicas([Region::UsWest2])
            .allowed_cidrs(["10.20.0.0/16"])
            .build(),
    );
    let secondary = RdsCluster::new(
        &w,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc_w)
            .global(global.secondary(Region::UsEast2, None))
            .allowed_cidrs(["10.10.0.0/16"])
            .build(),
    );
    assert_eq!(primary.engine_version(), secondary.engine_version());
    assert!(secondary.secret_arn().is_none());
    let a = synth(&app);
    let east = template(&a, "DataEast");
    let west = template(&a, "DataWest");
    let west_cluster = west["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::RDS::DBCluster")
        .unwrap();
    let props = &west_cluster["Properties"];
    assert!(props.get("MasterUsername").is_none() && props.get("MasterUserPassword").is_none());
    assert_eq!(props["SourceRegion"], "us-east-2");
    assert_eq!(props["KmsKeyId"], "alias/aws/rds");
    // The global cluster id crosses Regions as a parameter the deployer fills.
    assert!(
        props["GlobalClusterIdentifier"].get("Ref").is_some(),
        "{props}"
    );
    let g = east["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::RDS::GlobalCluster")
        .unwrap();
    assert_eq!(g["DeletionPolicy"], "Delete");
    let secret = east["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::SecretsManager::Secret")
        .unwrap();
    assert_eq!(
        secret["Properties"]["ReplicaRegions"],
        json!([{"Region": "us-west-2"}])
    );
    assert_eq!(
        a.stack("DataWest").unwrap().dependencies,
        vec!["DataEast".to_string()]
    );
    snapshot("rds_global_primary", east);
    snapshot("rds_global_secondary", west);
    assert_secure(east);
    assert_secure(west);
    lint(&a);
}

/// The seed's two sites, everything in one stack per Region: resources per construct,
/// template sizes and synthesis time are printed for the issue note.
#[test]
fn seed_sites_synthesize_lint_clean_and_fit_inline() {
    let started = Instant::now();
    let app = App::new("seed");
    site(
        &app,
        "SiteEast",
        Region::UsEast2,
        "10.10.0.0/16",
        Some("arn:aws:acm:us-east-2:123456789012:certificate/11111111-1111-1111-1111-111111111111"),
    );
    site(&app, "SiteWest", Region::UsWest2, "10.20.0.0/16", None);
    let a = synth(&app);
    let elapsed = started.elapsed();
    for s in &a.stacks {
        let body = s.template_body();
        assert!(
            body.len() < dr_core::template::MAX_INLINE_TEMPLATE_BYTES,
            "{} is {} bytes",
            s.name,
            body.len()
        );
        eprintln!(
            "{}: {} resources, {} bytes minified",
            s.name,
            type_counts(&s.template)
                .iter()
                .map(|(_, n)| n)
                .sum::<usize>(),
            body.len()
        );
        for (ty, n) in type_counts(&s.template) {
            eprintln!("  {ty}: {n}");
        }
        assert_secure(&s.template);
    }
    eprintln!("build + synthesis of both sites: {elapsed:?}");
    // Table 1.1 rows, as the DR plan reads them.
    let rows = app.tree().metadata_entries(SUMMARY_KEY);
    let assets: Vec<String> = rows
        .iter()
        .filter(|(p, _)| p.starts_with("SiteEast/"))
        .map(|(_, v)| v["asset"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        assets,
        [
            "VPC",
            "EC2 instance",
            "ALB",
            "EKS cluster",
            "EKS nodes",
            "RDS (Aurora MySQL)"
        ]
    );
    let rds = &rows.iter().find(|(p, _)| p == "SiteEast/Db").unwrap().1;
    assert_eq!(
        rds,
        &json!({"asset": "RDS (Aurora MySQL)", "purpose": "relational database: an Aurora cluster with a writer and readers, in private subnets", "size": "db.r6g.large", "quantity": "2 (1 writer + 1 reader)", "dr": "single-region cluster; automated backups only"})
    );
    lint(&a);
}

/// The security checks themselves catch what they look for (a check that cannot fail proves
/// nothing).
#[test]
fn security_checks_catch_open_groups_public_subnets_and_passwords() {
    let app = App::new("t");
    site(&app, "Site", Region::UsEast2, "10.10.0.0/16", None);
    let a = synth(&app);
    let good = template(&a, "Site").clone();
    assert_secure(&good);
    let res = |t: &mut Value| t["Resources"].as_object_mut().unwrap().clone();
    let find = |t: &Value, ty: &str| -> String {
        t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, r)| r["Type"] == ty)
            .map(|(k, _)| k.clone())
            .unwrap()
    };
    let mut cases: Vec<Value> = Vec::new();
    // The database group opened to the internet.
    let mut t = good.clone();
    let db_sg = res(&mut t)
        .iter()
        .find(|(k, r)| k.starts_with("DbSecurityGroup") && r["Type"] == "AWS::EC2::SecurityGroup")
        .unwrap()
        .0
        .clone();
    t["Resources"][&db_sg]["Properties"]["SecurityGroupIngress"][0] =
        json!({"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306});
    cases.push(t);
    // The ASG moved to a public subnet.
    let mut t = good.clone();
    let asg = find(&t, "AWS::AutoScaling::AutoScalingGroup");
    let public = common::public_subnets(&t).into_iter().next().unwrap();
    t["Resources"][&asg]["Properties"]["VPCZoneIdentifier"][0] = json!({"Ref": public});
    cases.push(t);
    // A literal master password.
    let mut t = good.clone();
    let c = find(&t, "AWS::RDS::DBCluster");
    t["Resources"][&c]["Properties"]["MasterUserPassword"] = json!("hunter22hunter22");
    cases.push(t);
    // A public EKS endpoint with no CIDR list (= 0.0.0.0/0).
    let mut t = good.clone();
    let e = find(&t, "AWS::EKS::Cluster");
    t["Resources"][&e]["Properties"]["ResourcesVpcConfig"]["EndpointPublicAccess"] = json!(true);
    cases.push(t);
    for (i, bad) in cases.into_iter().enumerate() {
        let caught = std::panic::catch_unwind(|| assert_secure(&bad));
        assert!(caught.is_err(), "case {i} was not caught");
    }
}

/// A cluster given a security group made elsewhere creates none of its own: its clients and
/// CIDRs become ingress rules of that group, resources of the cluster's scope, and the cluster
/// uses the group.
#[test]
fn a_cluster_given_a_security_group_adds_its_rules_to_it() {
    let app = App::new("db");
    let s = stack(&app, "Data", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    let security_group = |id: &str, description: &str| {
        s.add(
            id,
            &l1::ec2::CfnSecurityGroup {
                group_description: Some(dr_core::Val::from(description)),
                vpc_id: Some(dr_core::Val::from(vpc.vpc_id())),
                ..Default::default()
            },
        )
    };
    let group = security_group("Group", "made with the network");
    let client = security_group("Client", "a client");
    let cluster = RdsCluster::new(
        &s,
        "Db",
        RdsClusterProps::builder()
            .vpc(&vpc)
            .instance_class("db.r6g.large")
            .security_group_id(group.get_att("GroupId"))
            .allowed_security_groups(vec![client.get_att("GroupId")])
            .allowed_cidrs(["10.20.0.0/16"])
            .build(),
    );
    let assembly = synth(&app);
    let t = template(&assembly, "Data");
    let groups = common::resources_of(t, "AWS::EC2::SecurityGroup");
    assert_eq!(groups.len(), 2, "the two made by hand, none by the cluster");
    let group_id = json!({"Fn::GetAtt": [group.logical_id(), "GroupId"]});
    let db = common::one(t, "AWS::RDS::DBCluster");
    assert_eq!(db["Properties"]["VpcSecurityGroupIds"], json!([group_id]));
    assert_eq!(
        cluster.security_group_id().element(),
        group.get_att("GroupId").element()
    );
    let rules: Vec<&Value> = common::resources_of(t, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .map(|(_, r)| &r["Properties"])
        .collect();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(
        rules
            .iter()
            .all(|r| r["GroupId"] == group_id && r["FromPort"] == 3306)
    );
    assert!(rules.iter().any(|r| {
        r["SourceSecurityGroupId"] == json!({"Fn::GetAtt": [client.logical_id(), "GroupId"]})
    }));
    assert!(rules.iter().any(|r| r["CidrIp"] == "10.20.0.0/16"));
    lint(&assembly);
}
