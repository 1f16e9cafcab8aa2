//! What must hold on the synthesized templates for the pair to create and serve on AWS: the
//! rules of the resource providers, the dependencies CloudFormation cannot infer, and what
//! "healthy" means to each consumer (Auto Scaling, the target group, Route 53).

use crate::common::{self, one_with_id, resources_of, template};

use std::collections::{BTreeSet, VecDeque};

use dr_aws_constructs::*;
use dr_core::{App, DeletionPolicy, Region};
use serde_json::Value;

/// Knobs of the site the tests build.
#[derive(Clone, Default)]
struct Knobs {
    health_check_path: Option<&'static str>,
    fleet_health_check: FleetHealthCheck,
    fleet_update_policy: FleetUpdatePolicy,
    fleet_min_size: Option<u32>,
    fleet_max_size: Option<u32>,
    writer_snapshot: bool,
}

fn pair(knobs: Knobs) -> App {
    let app = App::new("shop");
    let props = DrPairProps::builder()
        .primary(Site::first_azs(Region::UsEast2, 3))
        .secondary(Site::first_azs(Region::UsWest2, 3))
        .domain("shop.example.com")
        .hosted_zone(HostedZoneRef::create("shop.example.com"))
        .build();
    DrPair::new(&app, "Shop", props, |site| {
        let vpc = Vpc::new(
            site.network(),
            "Network",
            VpcProps::builder()
                .cidr(site.pick("10.10.0.0/16", "10.20.0.0/16"))
                .azs(site.azs())
                .build(),
        );
        let fleet = Ec2Fleet::new(
            site,
            "App",
            Ec2FleetProps::builder()
                .vpc(&vpc)
                .health_check(knobs.fleet_health_check)
                .update_policy(knobs.fleet_update_policy)
                .maybe_min_size(knobs.fleet_min_size)
                .maybe_max_size(knobs.fleet_max_size)
                .build(),
        );
        let alb = Alb::new(
            site,
            "Lb",
            AlbProps::builder()
                .vpc(&vpc)
                .targets(fleet.app_target())
                .maybe_health_check_path(knobs.health_check_path)
                .build(),
        );
        site.serve(&alb);
        let eks = EksCluster::new(site, "Eks", EksClusterProps::builder().vpc(&vpc).build());
        let cluster = site.database(
            &vpc,
            &[fleet.security_group_id(), eks.cluster_security_group_id()],
        );
        if knobs.writer_snapshot
            && let Some(c) = cluster
        {
            c.instances()[0].set_deletion_policy(DeletionPolicy::Snapshot);
        }
    });
    app
}

/// Logical ids `r` names in `DependsOn`, `Ref` or `Fn::GetAtt`.
fn direct_dependencies(r: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(id)) = m.get("Ref") {
                    out.insert(id.clone());
                }
                if let Some(Value::Array(a)) = m.get("Fn::GetAtt")
                    && let Some(Value::String(id)) = a.first()
                {
                    out.insert(id.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&r["Properties"], &mut out);
    match &r["DependsOn"] {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(a) => out.extend(a.iter().filter_map(|x| x.as_str().map(String::from))),
        _ => {}
    }
    out
}

/// Everything `id` waits for in CloudFormation's creation order, transitively.
fn waits_for(t: &Value, id: &str) -> BTreeSet<String> {
    let resources = t["Resources"].as_object().unwrap();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([id.to_string()]);
    while let Some(next) = queue.pop_front() {
        let Some(r) = resources.get(&next) else {
            continue;
        };
        for d in direct_dependencies(r) {
            if seen.insert(d.clone()) {
                queue.push_back(d);
            }
        }
    }
    seen
}

/// The default routes to the internet: through the internet gateway (`public`) or a NAT
/// gateway.
fn internet_routes(t: &Value, public: bool) -> BTreeSet<String> {
    let key = if public { "GatewayId" } else { "NatGatewayId" };
    resources_of(t, "AWS::EC2::Route")
        .into_iter()
        .filter(|(_, r)| {
            r["Properties"]["DestinationCidrBlock"] == "0.0.0.0/0"
                && !r["Properties"][key].is_null()
        })
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn cluster_members_are_deleted_with_the_cluster_which_keeps_a_final_snapshot() {
    let assembly = common::synth(&pair(Knobs::default()));
    for stack in ["Shop-Primary-Data", "Shop-Secondary-Data"] {
        let t = template(&assembly, stack);
        let instances = resources_of(t, "AWS::RDS::DBInstance");
        assert_eq!(instances.len(), 2, "{stack}: writer and reader");
        for (id, r) in instances {
            assert!(!r["Properties"]["DBClusterIdentifier"].is_null());
            assert_eq!(r["DeletionPolicy"], "Delete", "{stack}/{id}");
            assert_eq!(r["UpdateReplacePolicy"], "Delete", "{stack}/{id}");
        }
        let (_, cluster) = one_with_id(t, "AWS::RDS::DBCluster");
        assert_eq!(cluster["DeletionPolicy"], "Snapshot");
        assert_eq!(cluster["UpdateReplacePolicy"], "Snapshot");
    }
}

#[test]
fn snapshot_on_a_cluster_member_is_refused_at_synthesis_with_the_providers_message() {
    let app = pair(Knobs {
        writer_snapshot: true,
        ..Knobs::default()
    });
    let errors = dr_synth::synth(&app).expect_err("synthesis must fail").0;
    let found: Vec<_> = errors.iter().filter(|d| d.code == "DRK-RDS-011").collect();
    // The closure ran for both sites, so both writers carry it.
    let paths: Vec<&str> = found.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Shop/PrimaryData/Database/Writer",
            "Shop/SecondaryData/Database/Writer"
        ],
        "{errors:#?}"
    );
    let d = found[0];
    assert!(
        d.message.contains("DeletionPolicy:Snapshot cannot be specified for a cluster instance, use deletion policy on the cluster instead."),
        "{}",
        d.message
    );
    assert!(d.hint.as_deref().unwrap_or("").contains("Delete"));
}

#[test]
fn the_internet_facing_load_balancer_waits_for_its_subnets_routes_to_the_internet_gateway() {
    let assembly = common::synth(&pair(Knobs::default()));
    for (stack, network) in SITES {
        let t = template(&assembly, stack);
        let (_, r) = one_with_id(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
        assert_eq!(r["Properties"]["Scheme"], "internet-facing");
        // The routes live in the network stack, complete before the site stack starts.
        let n = template(&assembly, network);
        let routes = internet_routes(n, true);
        assert_eq!(
            routes.len(),
            1,
            "{network}: the public route table's one route"
        );
        let (attachment, _) = one_with_id(n, "AWS::EC2::VPCGatewayAttachment");
        assert!(
            waits_for(n, routes.iter().next().unwrap()).contains(attachment),
            "{network}: the route waits for the gateway's attachment"
        );
        assert_site_follows_network(&assembly, stack, network);
    }
}

/// Each site stack and its network stack.
const SITES: [(&str, &str); 2] = [
    ("Shop-Primary", "Shop-Primary-Network"),
    ("Shop-Secondary", "Shop-Secondary-Network"),
];

/// What the site needs of the network exists before the site stack starts: a stack deploys
/// only once the stacks it depends on are complete.
fn assert_site_follows_network(assembly: &dr_synth::Assembly, stack: &str, network: &str) {
    let deps = &assembly.stack(stack).expect("site stack").dependencies;
    assert!(
        deps.iter().any(|d| d == network),
        "{stack} deploys after {network}: {deps:?}"
    );
}

#[test]
fn instances_and_eks_nodes_wait_for_the_nat_routes_their_boot_needs() {
    let assembly = common::synth(&pair(Knobs::default()));
    for (stack, network) in SITES {
        let t = template(&assembly, stack);
        let n = template(&assembly, network);
        let routes = internet_routes(n, false);
        assert_eq!(routes.len(), 3, "{network}: one per private subnet");
        for ty in ["AWS::AutoScaling::AutoScalingGroup", "AWS::EKS::Nodegroup"] {
            one_with_id(t, ty);
        }
        assert_site_follows_network(&assembly, stack, network);
    }
}

#[test]
fn auto_scaling_replaces_an_instance_only_on_ec2_status_checks_by_default() {
    let assembly = common::synth(&pair(Knobs::default()));
    for stack in ["Shop-Primary", "Shop-Secondary"] {
        let t = template(&assembly, stack);
        let (_, asg) = one_with_id(t, "AWS::AutoScaling::AutoScalingGroup");
        let p = &asg["Properties"];
        assert_eq!(p["HealthCheckType"], "EC2", "{stack}");
        assert_eq!(
            p["HealthCheckGracePeriod"],
            DEFAULT_HEALTH_CHECK_GRACE_PERIOD_SECS
        );
        // Still registered with the target group, which routes to what can serve.
        assert_eq!(p["TargetGroupARNs"].as_array().map(Vec::len), Some(1));
    }
    let elb = common::synth(&pair(Knobs {
        fleet_health_check: FleetHealthCheck::Elb,
        ..Knobs::default()
    }));
    let (_, asg) = one_with_id(
        template(&elb, "Shop-Primary"),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    assert_eq!(asg["Properties"]["HealthCheckType"], "ELB");
}

/// The target group's path, and the path Route 53 probes the primary site on.
fn health_paths(assembly: &dr_synth::Assembly) -> (String, String, String) {
    let tg_path = |stack: &str| {
        let (_, tg) = one_with_id(
            template(assembly, stack),
            "AWS::ElasticLoadBalancingV2::TargetGroup",
        );
        tg["Properties"]["HealthCheckPath"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let global = template(assembly, "Shop-Global");
    let endpoint_check = resources_of(global, "AWS::Route53::HealthCheck")
        .into_iter()
        .find(|(_, r)| r["Properties"]["HealthCheckConfig"]["ResourcePath"].is_string())
        .expect("an endpoint check");
    let r53 = endpoint_check.1["Properties"]["HealthCheckConfig"]["ResourcePath"]
        .as_str()
        .unwrap()
        .to_string();
    (tg_path("Shop-Primary"), tg_path("Shop-Secondary"), r53)
}

#[test]
fn route_53_probes_the_path_the_target_groups_check_from_one_setting() {
    let (primary, secondary, r53) = health_paths(&common::synth(&pair(Knobs::default())));
    assert_eq!(primary, DEFAULT_HEALTH_CHECK_PATH);
    assert_eq!((&secondary, &r53), (&primary, &primary));

    let app = pair(Knobs {
        health_check_path: Some("/ready"),
        ..Knobs::default()
    });
    let assembly = common::synth(&app);
    assert_eq!(
        health_paths(&assembly),
        ("/ready".into(), "/ready".into(), "/ready".into())
    );
    let topology = &assembly.manifest()["drTopology"]["pairs"][0]["traffic"]["healthCheckPath"];
    assert_eq!(topology, "/ready");
}

/// A count the template writes as a string (`MinSize`) or a number (`MinInstancesInService`).
fn count(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A new AMI (resolved from the SSM parameter at each deploy) or new user data makes a new
/// launch template version; the group names the template's latest version, so its
/// `LaunchTemplate` changes, which is what starts the rolling update ("UpdatePolicy attribute",
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>).
/// The update replaces one instance at a time, keeps `MinSize` in service (below `MaxSize`, as
/// AWS requires), waits the grace period after each, and suspends the processes AWS
/// recommends suspending.
#[test]
fn a_new_ami_rolls_through_the_fleet_keeping_the_minimum_in_service() {
    let assembly = common::synth(&pair(Knobs::default()));
    for stack in ["Shop-Primary", "Shop-Secondary"] {
        let t = template(&assembly, stack);
        let (lt, lt_r) = one_with_id(t, "AWS::EC2::LaunchTemplate");
        let image = &lt_r["Properties"]["LaunchTemplateData"]["ImageId"];
        let ami_param = image["Ref"].as_str().expect("the AMI is a parameter");
        assert_eq!(
            t["Parameters"][ami_param]["Type"],
            "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
        );
        let (_, asg) = one_with_id(t, "AWS::AutoScaling::AutoScalingGroup");
        let p = &asg["Properties"];
        assert_eq!(p["LaunchTemplate"]["LaunchTemplateId"]["Ref"], lt.as_str());
        assert_eq!(
            p["LaunchTemplate"]["Version"]["Fn::GetAtt"],
            serde_json::json!([lt, "LatestVersionNumber"])
        );

        let rolling = &asg["UpdatePolicy"]["AutoScalingRollingUpdate"];
        assert!(rolling.is_object(), "{stack}: {asg:#}");
        let (min, max, desired) = (
            count(&p["MinSize"]),
            count(&p["MaxSize"]),
            count(&p["DesiredCapacity"]),
        );
        let in_service = count(&rolling["MinInstancesInService"]);
        assert_eq!(in_service, min, "{stack}: the minimum stays in service");
        assert!(in_service < max, "{stack}: AWS needs it below MaxSize");
        assert_eq!((min, desired), (3, 3), "{stack}: the fleet still runs 3");
        assert_eq!(rolling["MaxBatchSize"], 1);
        assert_eq!(count(&p["HealthCheckGracePeriod"]), 300);
        assert_eq!(rolling["PauseTime"], "PT5M", "{stack}: the grace period");
        assert_eq!(
            rolling["SuspendProcesses"],
            serde_json::json!([
                "HealthCheck",
                "ReplaceUnhealthy",
                "AZRebalance",
                "AlarmNotification",
                "ScheduledActions"
            ])
        );
        assert!(rolling.get("WaitOnResourceSignals").is_none());
    }
    assert!(assembly.warnings.iter().all(|d| d.code != "DRK-CAP-004"));
}

#[test]
fn a_fleet_on_manual_updates_has_no_update_policy() {
    let assembly = common::synth(&pair(Knobs {
        fleet_update_policy: FleetUpdatePolicy::Manual,
        ..Knobs::default()
    }));
    for stack in ["Shop-Primary", "Shop-Secondary"] {
        let (_, asg) = one_with_id(
            template(&assembly, stack),
            "AWS::AutoScaling::AutoScalingGroup",
        );
        assert!(asg.get("UpdatePolicy").is_none(), "{stack}: {asg:#}");
        // The launch template still moves with the deploy; only new instances get it.
        assert_eq!(
            asg["Properties"]["LaunchTemplate"]["Version"]["Fn::GetAtt"][1],
            "LatestVersionNumber"
        );
    }
}

/// With no room above the minimum, the update keeps one instance fewer in service (AWS fails
/// the update of a group whose `MinInstancesInService` is not below `MaxSize`), and each
/// site's fleet is warned.
#[test]
fn a_fleet_with_max_size_equal_to_min_size_rolls_one_short_and_is_warned() {
    let assembly = common::synth(&pair(Knobs {
        fleet_min_size: Some(2),
        fleet_max_size: Some(2),
        ..Knobs::default()
    }));
    for stack in ["Shop-Primary", "Shop-Secondary"] {
        let (_, asg) = one_with_id(
            template(&assembly, stack),
            "AWS::AutoScaling::AutoScalingGroup",
        );
        assert_eq!(count(&asg["Properties"]["MaxSize"]), 2);
        let rolling = &asg["UpdatePolicy"]["AutoScalingRollingUpdate"];
        assert_eq!(count(&rolling["MinInstancesInService"]), 1, "{stack}");
    }
    // One warning, the same in both sites, reported once with the other site's path.
    let warned: Vec<(&str, &[String])> = assembly
        .warnings
        .iter()
        .filter(|d| d.code == "DRK-CAP-004")
        .map(|d| (d.path.as_str(), d.also_at.as_slice()))
        .collect();
    assert_eq!(
        warned,
        [("Shop/Primary/App", &["Shop/Secondary/App".to_string()][..])],
        "{:#?}",
        assembly.warnings
    );
}
