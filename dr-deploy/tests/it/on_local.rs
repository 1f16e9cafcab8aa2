//! The deploy engine on the local simulator backend: create, no-op redeploy, update, refused
//! database replacement, injected failures with rollback, recreate after a failed create,
//! destroy, and concurrency shown on the virtual clock.

use dr_core::Region;
use dr_core::cloud::{Cloud, CloudErrorKind, StackStatus};
use dr_deploy::{
    CallRecorder, DeployErrorKind, DeployOptions, DestroyOptions, DestroyOutcome, NullObserver,
    RecordingObserver, StackAction, TemplateBuckets, deploy, destroy,
};
use dr_local::LocalCloud;
use dr_synth::assembly::{Assembly, ParameterWiring, StackArtifact, WiringSource};
use serde_json::{Value, json};

fn artifact(name: &str, region: Region, template: Value) -> StackArtifact {
    StackArtifact {
        name: name.into(),
        path: format!("shop/{name}"),
        region,
        account: None,
        template,
        dependencies: vec![],
        parameter_wiring: vec![],
        termination_protection: true,
    }
}

fn net_template(db_id: &str, subnet_name: &str) -> Value {
    json!({
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.10.0.0/24",
                "Tags": [{"Key": "Name", "Value": subnet_name}]
            }},
            "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {
                "DBClusterIdentifier": db_id, "Engine": "aurora-mysql",
                "MasterUsername": "admin", "MasterUserPassword": "correct-horse-battery"
            }}
        },
        "Outputs": {
            "VpcId": {"Value": {"Ref": "Vpc"}},
            "DbEndpoint": {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}
        }
    })
}

fn app_template() -> Value {
    json!({
        "Parameters": {"PrimaryVpcId": {"Type": "String"}},
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.20.0.0/16"}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": {"Fn::Sub": "peer of ${PrimaryVpcId}"}, "VpcId": {"Ref": "Vpc"}
            }}
        },
        "Outputs": {"PeerOf": {"Value": {"Ref": "PrimaryVpcId"}}}
    })
}

fn shop(db_id: &str, subnet_name: &str) -> Assembly {
    let mut app = artifact("shop-app", Region::UsWest2, app_template());
    app.dependencies = vec!["shop-net".into()];
    app.parameter_wiring = vec![ParameterWiring {
        parameter: "PrimaryVpcId".into(),
        source: WiringSource::Output {
            stack: "shop-net".into(),
            output: "VpcId".into(),
        },
    }];
    Assembly {
        app: "shop".into(),
        stacks: vec![
            artifact(
                "shop-net",
                Region::UsEast2,
                net_template(db_id, subnet_name),
            ),
            app,
        ],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

fn errors(s: &dr_deploy::DeploySummary) -> Vec<String> {
    s.stacks
        .iter()
        .filter_map(|r| r.error.as_ref().map(ToString::to_string))
        .collect()
}

#[tokio::test]
async fn create_then_unchanged_then_update() {
    let local = LocalCloud::in_memory();
    let cloud = CallRecorder::new(local.clone());
    let asm = shop("shop-db", "a");
    let obs = RecordingObserver::new();
    let s = deploy(&cloud, &asm, &DeployOptions::default(), &obs).await;
    assert!(s.is_success(), "{:#?}", errors(&s));
    assert_eq!(s.stack("shop-net").unwrap().action, StackAction::Created);
    assert_eq!(s.stack("shop-app").unwrap().action, StackAction::Created);
    let vpc = s.output("shop-net", "VpcId").unwrap();
    assert!(vpc.starts_with("vpc-"), "{vpc}");
    assert_eq!(s.output("shop-app", "PeerOf"), Some(vpc));
    assert!(
        s.output("shop-net", "DbEndpoint")
            .is_some_and(|e| e.contains("shop-db"))
    );
    // Events streamed in CloudFormation's order, ending with the stack's CREATE_COMPLETE.
    let events = obs.stack_events("shop-net");
    assert_eq!(
        events.first().map(|e| e.status.as_str()),
        Some("CREATE_IN_PROGRESS")
    );
    assert!(
        events
            .last()
            .is_some_and(|e| e.is_stack_event() && e.status.as_str() == "CREATE_COMPLETE")
    );
    let desc = cloud
        .describe_stack(Region::UsEast2, "shop-net")
        .await
        .unwrap()
        .unwrap();
    assert!(desc.termination_protection);
    assert!(
        cloud
            .get_stack_policy(Region::UsEast2, "shop-net")
            .await
            .unwrap()
            .is_some_and(|p| p.contains("LogicalResourceId/Db"))
    );

    cloud.clear();
    local.clear_call_log();
    let again = deploy(&cloud, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged),
        "{:#?}",
        again.stacks
    );
    assert_eq!(again.mutating_calls(), 0);
    assert_eq!(cloud.mutating_calls(), vec![]);
    assert_eq!(local.mutating_calls(), 0);

    let s = deploy(
        &cloud,
        &shop("shop-db", "b"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert!(s.is_success(), "{:#?}", errors(&s));
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Updated);
    assert_eq!(net.final_status, Some(StackStatus::UpdateComplete));
    assert_eq!(s.stack("shop-app").unwrap().action, StackAction::Unchanged);
}

#[tokio::test]
async fn refuses_to_replace_the_database() {
    let local = LocalCloud::in_memory();
    deploy(
        &local,
        &shop("shop-db", "a"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let cloud = CallRecorder::new(local.clone());
    let s = deploy(
        &cloud,
        &shop("shop-db-renamed", "a"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Refused);
    assert_eq!(
        net.error.as_ref().unwrap().to_string(),
        "stack `shop-net` (us-east-2): the preflight refuses, before any stack was changed:\n  \
         - `Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it\n\
         No stack was changed. Revert the change, or deploy again with --allow-data-loss if losing the data is intended."
    );
    assert_eq!(cloud.mutating_calls(), []);
    assert_eq!(s.stack("shop-app").unwrap().action, StackAction::Skipped);
    let desc = local
        .describe_stack(Region::UsEast2, "shop-net")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(desc.status, StackStatus::CreateComplete);
}

#[tokio::test]
async fn an_injected_failure_is_named_with_its_reason_and_the_rollback() {
    let local = LocalCloud::in_memory();
    deploy(
        &local,
        &shop("shop-db", "a"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    local.fail_resource_on_next_deploy(
        Region::UsEast2,
        "shop-net",
        "Subnet",
        "Injected: subnet CIDR conflicts",
    );
    let s = deploy(
        &local,
        &shop("shop-db", "b"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Failed);
    assert_eq!(net.final_status, Some(StackStatus::UpdateRollbackComplete));
    assert_eq!(
        net.error.as_ref().unwrap().to_string(),
        "stack `shop-net` (us-east-2) failed: resource `Subnet` (AWS::EC2::Subnet) UPDATE_FAILED: Injected: subnet CIDR conflicts; the stack is now UPDATE_ROLLBACK_COMPLETE"
    );
    // The protective policy is in place after the failed update too.
    assert!(
        local
            .get_stack_policy(Region::UsEast2, "shop-net")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_failed_create_is_recreated_by_the_next_deploy() {
    let local = LocalCloud::in_memory();
    local.fail_resource_on_next_deploy(
        Region::UsEast2,
        "shop-net",
        "Db",
        "Injected: insufficient capacity",
    );
    let asm = shop("shop-db", "a");
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Failed);
    assert_eq!(net.final_status, Some(StackStatus::RollbackComplete));
    assert_eq!(
        net.error.as_ref().unwrap().to_string(),
        "stack `shop-net` (us-east-2) failed: resource `Db` (AWS::RDS::DBCluster) CREATE_FAILED: Injected: insufficient capacity; the stack is now ROLLBACK_COMPLETE (the next deploy deletes and recreates it)"
    );
    assert_eq!(s.stack("shop-app").unwrap().action, StackAction::Skipped);

    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{:#?}", errors(&s));
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Created);
    assert!(net.notes.iter().any(|n| n.contains("ROLLBACK_COMPLETE")));
}

/// Destroying some stacks only: a stack left out that is still deployed keeps the stacks it
/// depends on, even across Regions, where CloudFormation does not track the dependency.
#[tokio::test]
async fn destroying_a_producer_alone_keeps_it_while_its_consumer_is_deployed() {
    let local = LocalCloud::in_memory();
    let asm = shop("shop-db", "a");
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let only = |name: &str| DestroyOptions {
        only: Some(vec![name.to_string()]),
        ..DestroyOptions::lift_all()
    };
    let kept = destroy(&local, &asm, &only("shop-net"), &NullObserver).await;
    assert_eq!(kept.stacks.len(), 1);
    let r = kept.stack("shop-net").unwrap();
    assert_eq!(r.outcome, DestroyOutcome::Skipped);
    assert_eq!(
        r.error.as_ref().unwrap().to_string(),
        "stack `shop-net` was not deleted because stack `shop-app`, which depends on it, is still there"
    );
    assert!(
        local
            .describe_stack(Region::UsEast2, "shop-net")
            .await
            .unwrap()
            .is_some()
    );

    let app = destroy(&local, &asm, &only("shop-app"), &NullObserver).await;
    assert_eq!(
        app.stack("shop-app").unwrap().outcome,
        DestroyOutcome::Deleted
    );
    let net = destroy(&local, &asm, &only("shop-net"), &NullObserver).await;
    assert_eq!(
        net.stack("shop-net").unwrap().outcome,
        DestroyOutcome::Deleted,
        "{net}"
    );
}

#[tokio::test]
async fn destroy_deletes_in_reverse_order() {
    let local = LocalCloud::in_memory();
    let asm = shop("shop-db", "a");
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let blocked = destroy(&local, &asm, &DestroyOptions::default(), &NullObserver).await;
    assert_eq!(
        blocked.stack("shop-app").unwrap().outcome,
        DestroyOutcome::Blocked
    );
    assert_eq!(
        blocked.stack("shop-net").unwrap().outcome,
        DestroyOutcome::Skipped
    );

    let opts = DestroyOptions {
        lift_termination_protection: true,
        ..Default::default()
    };
    let s = destroy(&local, &asm, &opts, &NullObserver).await;
    assert!(
        s.is_success(),
        "{:?}",
        s.first_error().map(ToString::to_string)
    );
    let order: Vec<&str> = s.stacks.iter().map(|r| r.stack.as_str()).collect();
    assert_eq!(order, ["shop-app", "shop-net"]);
    assert!(s.stacks.iter().all(|r| {
        r.met
            .iter()
            .any(|m| m == "termination protection was on: lifted")
    }));
    assert!(
        local
            .describe_stack(Region::UsEast2, "shop-net")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        local
            .describe_stack(Region::UsWest2, "shop-app")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn independent_stacks_overlap_on_the_virtual_clock() {
    let local = LocalCloud::in_memory();
    let asm = Assembly {
        app: "shop".into(),
        stacks: vec![
            artifact("east", Region::UsEast2, net_template("east-db", "a")),
            artifact("west", Region::UsWest2, net_template("west-db", "a")),
        ],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    };
    let obs = RecordingObserver::new();
    deploy(&local, &asm, &DeployOptions::default(), &obs)
        .await
        .into_result()
        .unwrap();
    let span = |stack: &str| {
        let ev = obs.stack_events(stack);
        (ev.first().unwrap().timestamp, ev.last().unwrap().timestamp)
    };
    let (east_start, east_end) = span("east");
    let (west_start, west_end) = span("west");
    // Each started before the other ended: the two stack operations overlapped.
    assert!(
        east_start < west_end && west_start < east_end,
        "east {east_start}..{east_end}, west {west_start}..{west_end}"
    );
}

/// The seed's system built with `DrPair` (what `examples/two_region.rs` builds): two sites,
/// an Aurora global database with deletion protection on, the Route 53 failover pair.
pub(crate) fn dr_pair_assembly() -> Assembly {
    dr_pair_assembly_with(
        "Grafana",
        dr_aws_constructs::KeyPair::Create,
        dr_aws_constructs::DatabaseProps::builder().build(),
    )
}

/// The same pair, with the fleet construct named `fleet_id`, its key pair `key_pair`, and the
/// global database `database`.
fn dr_pair_assembly_with(
    fleet_id: &str,
    key_pair: dr_aws_constructs::KeyPair,
    database: dr_aws_constructs::DatabaseProps,
) -> Assembly {
    dr_pair_assembly_of(
        fleet_id,
        ("Lb", dr_aws_constructs::AccessLogs::Create),
        key_pair,
        database,
    )
}

/// The same pair, with the load balancer construct named `lb.0`, its access logs `lb.1`.
fn dr_pair_assembly_of(
    fleet_id: &str,
    lb: (&str, dr_aws_constructs::AccessLogs),
    key_pair: dr_aws_constructs::KeyPair,
    database: dr_aws_constructs::DatabaseProps,
) -> Assembly {
    use dr_aws_constructs::*;
    let app = dr_core::App::new("shop");
    DrPair::new(
        &app,
        "Shop",
        DrPairProps::builder()
            .primary(Site::new(
                Region::UsEast2,
                ["us-east-2a", "us-east-2b", "us-east-2c"],
            ))
            .secondary(Site::new(
                Region::UsWest2,
                ["us-west-2a", "us-west-2b", "us-west-2c"],
            ))
            .domain("shop.example.com")
            .hosted_zone(HostedZoneRef::create("shop.example.com"))
            .database(database)
            .build(),
        |site| {
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
                fleet_id,
                Ec2FleetProps::builder()
                    .vpc(&vpc)
                    .key_pair(key_pair.clone())
                    .build(),
            );
            let alb = Alb::new(
                site,
                lb.0,
                AlbProps::builder()
                    .vpc(&vpc)
                    .targets(fleet.app_target())
                    .access_logs(lb.1.clone())
                    .build(),
            );
            site.serve(&alb);
            site.database(&vpc, &[fleet.security_group_id()]);
        },
    );
    dr_synth::synth(&app).expect("the pair synthesizes")
}

/// The DR pair, deployed to a fresh simulator.
pub(crate) async fn deployed_dr_pair() -> (Assembly, LocalCloud) {
    let asm = dr_pair_assembly();
    let local = LocalCloud::in_memory();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    (asm, local)
}

/// The seed's system, built with `DrPair`, deploys end to end on the simulator and a second
/// deploy changes nothing.
#[tokio::test]
async fn a_dr_pair_deploys_and_then_has_nothing_to_change() {
    let asm = dr_pair_assembly();
    let local = LocalCloud::in_memory();
    let obs = RecordingObserver::new();
    let s = deploy(&local, &asm, &DeployOptions::default(), &obs).await;
    assert!(s.is_success(), "{s}");
    assert!(s.stacks.iter().all(|r| r.action == StackAction::Created));
    assert!(
        obs.stack_events("Shop-Global")
            .iter()
            .any(|e| e.status.as_str() == "CREATE_COMPLETE")
    );
    local.clear_call_log();
    let again = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged),
        "{again}"
    );
    assert_eq!(local.mutating_calls(), 0);
}

/// How many of `stack`'s parameters are filled from stacks in `region`.
pub(crate) fn wired_from(asm: &Assembly, stack: &str, region: Region) -> usize {
    asm.stack(stack)
        .unwrap()
        .parameter_wiring
        .iter()
        .filter(|w| asm.stack(w.source.stack()).unwrap().region == region)
        .count()
}

/// In an outage of the primary Region the DR Region's stacks stay deployable: the primary's
/// stacks fail naming the outage, the DR stacks deploy, and every value that comes from the
/// primary keeps what is deployed, each one noted.
#[tokio::test]
async fn in_a_primary_region_outage_the_dr_region_stacks_still_deploy() {
    let (asm, local) = deployed_dr_pair().await;
    let before = local
        .describe_stack(Region::UsWest2, "Shop-Global")
        .await
        .unwrap()
        .unwrap();

    // A change to the global stack (the database CNAME's TTL), deployed during the outage.
    let mut changed = asm.clone();
    let global = changed
        .stacks
        .iter_mut()
        .find(|s| s.name == "Shop-Global")
        .unwrap();
    let cname = global.template["Resources"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find(|r| r["Type"] == "AWS::Route53::RecordSet" && r["Properties"]["Type"] == "CNAME")
        .unwrap();
    assert_eq!(cname["Properties"]["TTL"], "30");
    cname["Properties"]["TTL"] = json!("20");

    local.set_region_available(Region::UsEast2, false);
    // diff first: the primary's stacks are unknown, the DR Region's are compared.
    let d = dr_deploy::diff(&local, &changed, &DeployOptions::default())
        .await
        .unwrap();
    let unknown: Vec<&str> = d
        .iter()
        .filter(|s| s.unreachable.is_some())
        .map(|s| s.stack.as_str())
        .collect();
    assert_eq!(
        unknown,
        [
            "Shop-Primary-Network",
            "Shop-Primary",
            "Shop-Primary-Data",
            "Shop-Primary-Peering"
        ]
    );
    let global_diff = d.iter().find(|s| s.stack == "Shop-Global").unwrap();
    assert_eq!(global_diff.changes.len(), 1, "{global_diff}");
    assert!(
        global_diff
            .to_string()
            .contains("~ InternalZoneDatabaseCname"),
        "{global_diff}"
    );
    assert!(
        d[0].to_string().starts_with(
            "Stack Shop-Primary-Network (us-east-2)\n  unknown: stack `Shop-Primary-Network` (us-east-2): "
        ),
        "{}",
        d[0]
    );

    let s = deploy(&local, &changed, &DeployOptions::default(), &NullObserver).await;
    assert!(!s.is_success(), "the primary's stacks did not deploy");
    let r = s.stack("Shop-Primary-Network").unwrap();
    assert_eq!(r.action, StackAction::Failed);
    assert!(r.failed_by_region_outage(), "{:?}", r.error);
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("Region us-east-2 is unavailable"),
        "{:?}",
        r.error
    );
    // Its dependents in the same Region are held back, not deployed against it.
    for name in ["Shop-Primary", "Shop-Primary-Data", "Shop-Primary-Peering"] {
        let r = s.stack(name).unwrap();
        assert_eq!(r.action, StackAction::Skipped, "{name}: {s}");
        assert!(matches!(
            r.error.as_ref().unwrap().kind(),
            DeployErrorKind::DependencyFailed { .. }
        ));
    }
    for name in [
        "Shop-Secondary-Network",
        "Shop-Secondary",
        "Shop-Secondary-Data",
        "Shop-Secondary-Peering",
    ] {
        assert_eq!(
            s.stack(name).unwrap().action,
            StackAction::Unchanged,
            "{name}: {s}"
        );
    }
    let g = s.stack("Shop-Global").unwrap();
    assert_eq!(g.action, StackAction::Updated, "{s}");
    let kept = g
        .notes
        .iter()
        .filter(|n| {
            n.contains("keeps its deployed value") && n.contains("(us-east-2) does not answer")
        })
        .count();
    let from_primary = wired_from(&changed, "Shop-Global", Region::UsEast2);
    assert!(
        from_primary >= 2,
        "the ALB's name and zone, the writer endpoint"
    );
    // The global writer endpoint is not kept but asked of the DR Region, a member of the
    // global cluster, with the cluster's id as the DR data stack received it.
    assert_eq!(kept, from_primary - 1, "{:#?}", g.notes);
    assert!(
        g.notes.iter().any(|n| n
            .contains("was read from stack `Shop-Secondary-Data` (us-west-2), which received it")),
        "{:#?}",
        g.notes
    );

    let after = local
        .describe_stack(Region::UsWest2, "Shop-Global")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.parameters, before.parameters,
        "kept values are the deployed ones"
    );
    assert_eq!(after.status, StackStatus::UpdateComplete);
    let template: Value = serde_json::from_str(
        &local
            .get_template(Region::UsWest2, "Shop-Global")
            .await
            .unwrap(),
    )
    .unwrap();
    let ttls: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Properties"]["Type"] == "CNAME")
        .map(|r| &r["Properties"]["TTL"])
        .collect();
    assert_eq!(ttls, [&json!("20")]);

    // Once the Region answers again, the primary's stacks have nothing to change.
    local.set_region_available(Region::UsEast2, true);
    let healed = deploy(&local, &changed, &DeployOptions::default(), &NullObserver).await;
    assert!(healed.is_success(), "{healed}");
    assert!(
        healed
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged),
        "{healed}"
    );
}

/// A first deploy during an outage cannot invent the values the unreachable Region would
/// give: the DR stacks that need them fail saying which value, from where, and what to do.
#[tokio::test]
async fn a_first_deploy_in_an_outage_names_the_values_it_cannot_have() {
    let asm = dr_pair_assembly();
    let local = LocalCloud::in_memory();
    local.set_region_available(Region::UsEast2, false);
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(
        s.stack("Shop-Secondary").unwrap().action,
        StackAction::Created,
        "{s}"
    );
    let g = s.stack("Shop-Global").unwrap();
    assert_eq!(g.action, StackAction::Failed);
    let err = g.error.as_ref().expect("Shop-Global's error");
    let DeployErrorKind::ProducerUnreachable {
        parameter,
        producer,
        producer_region,
    } = err.kind()
    else {
        panic!("{err:?}");
    };
    assert_eq!(*producer_region, Region::UsEast2);
    assert!(producer.starts_with("Shop-Primary"), "{producer}");
    assert_eq!(
        err.to_string(),
        format!(
            "stack `Shop-Global`: parameter `{parameter}` comes from stack `{producer}` in us-east-2, which does not answer, and `Shop-Global` has no deployed value to keep; deploy again when us-east-2 answers"
        )
    );
    assert!(
        local
            .describe_stack(Region::UsWest2, "Shop-Global")
            .await
            .unwrap()
            .is_none(),
        "nothing is created with a made-up value"
    );
}

/// The physical ids of `stack`'s resources of `resource_type`.
async fn physical_ids(
    local: &LocalCloud,
    region: Region,
    stack: &str,
    resource_type: &str,
) -> Vec<String> {
    local
        .describe_stack_resources(region, stack)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.resource_type == resource_type)
        .filter_map(|r| r.physical_id)
        .collect()
}

/// The site stacks of the pair, with their Region.
const SITES: [(Region, &str); 2] = [
    (Region::UsEast2, "Shop-Primary"),
    (Region::UsWest2, "Shop-Secondary"),
];

/// `destroy` with every protection lifted and the access-log buckets emptied takes the whole
/// DrPair down and leaves nothing: the Aurora global cluster's and the load balancers'
/// deletion protection lifted, each Region's log bucket (never empty once ELB has written its
/// test file) emptied and deleted with its stack.
#[tokio::test]
async fn a_dr_pair_is_destroyed_when_every_protection_may_be_lifted() {
    let (asm, local) = deployed_dr_pair().await;
    let mut load_balancers = Vec::new();
    let mut buckets = Vec::new();
    for (region, stack) in SITES {
        for lb in physical_ids(
            &local,
            region,
            stack,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        )
        .await
        {
            assert!(
                local
                    .describe_load_balancer_attributes(region, &lb)
                    .await
                    .unwrap()
                    .deletion_protection(),
                "the example's load balancers are protected: {lb}"
            );
            load_balancers.push((region, stack, lb));
        }
        for b in physical_ids(&local, region, stack, "AWS::S3::Bucket").await {
            assert!(
                !local
                    .list_object_versions(region, &b)
                    .await
                    .unwrap()
                    .is_empty(),
                "ELB wrote its test file into {b}"
            );
            buckets.push((region, stack, b));
        }
    }
    assert_eq!(load_balancers.len(), 2, "{load_balancers:?}");
    assert_eq!(
        buckets.len(),
        2,
        "one access-log bucket per Region: {buckets:?}"
    );
    let globals = physical_ids(
        &local,
        Region::UsEast2,
        "Shop-Primary-Data",
        "AWS::RDS::GlobalCluster",
    )
    .await;
    assert_eq!(globals.len(), 1, "{globals:?}");
    let global = &globals[0];
    assert!(
        local
            .describe_global_cluster(Region::UsEast2, global)
            .await
            .unwrap()
            .expect("the global cluster exists")
            .deletion_protection,
        "the example keeps the global cluster's deletion protection on"
    );

    let every_flag = DestroyOptions {
        empty_buckets: true,
        ..DestroyOptions::lift_all()
    };
    let d = destroy(&local, &asm, &every_flag, &NullObserver).await;
    assert_eq!(d.stacks.len(), asm.stacks.len());
    for r in &d.stacks {
        assert_eq!(
            r.outcome,
            DestroyOutcome::Deleted,
            "{} was not deleted:\n{d}",
            r.stack
        );
    }
    for art in &asm.stacks {
        assert!(
            local
                .describe_stack(art.region, &art.name)
                .await
                .unwrap()
                .is_none(),
            "{} is still there",
            art.name
        );
    }
    let data = d.stack("Shop-Primary-Data").unwrap();
    assert!(
        data.met.contains(&format!(
            "deletion protection on global cluster `{global}`: lifted"
        )),
        "{:?}",
        data.met
    );
    assert_eq!(
        local
            .describe_global_cluster(Region::UsEast2, global)
            .await
            .unwrap(),
        None
    );
    assert!(
        local
            .describe_db_clusters(Region::UsEast2)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        local
            .describe_db_clusters(Region::UsWest2)
            .await
            .unwrap()
            .is_empty()
    );
    for (region, stack, lb) in &load_balancers {
        let met = &d.stack(stack).unwrap().met;
        let name = lb.split('/').nth(2).unwrap();
        assert!(
            met.contains(&format!(
                "deletion protection on load balancer `{name}`: lifted"
            )),
            "{met:?}"
        );
        assert!(
            local
                .describe_load_balancer_attributes(*region, lb)
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    for (region, stack, b) in &buckets {
        let met = &d.stack(stack).unwrap().met;
        assert!(
            met.iter().any(
                |m| m.starts_with(&format!("access-log bucket `{b}`")) && m.contains("emptied")
            ),
            "{met:?}"
        );
        assert!(
            local
                .list_object_versions(*region, b)
                .await
                .unwrap_err()
                .is_not_found(),
            "{b} is gone"
        );
    }
    for region in [Region::UsEast2, Region::UsWest2] {
        let left: Vec<_> = local
            .retained_resources(region)
            .into_iter()
            .filter(|(ty, _)| {
                ty == "AWS::S3::Bucket" || ty == "AWS::ElasticLoadBalancingV2::LoadBalancer"
            })
            .collect();
        assert!(left.is_empty(), "{region}: {left:?}");
    }
}

/// Without `empty_buckets` the pair still goes, but each Region's access-log bucket, which
/// holds ELB's test file, is kept outside its stack and named with its Region.
#[tokio::test]
async fn a_dr_pair_destroyed_without_emptying_keeps_and_names_each_regions_log_bucket() {
    let (asm, local) = deployed_dr_pair().await;
    let d = destroy(&local, &asm, &DestroyOptions::lift_all(), &NullObserver).await;
    assert!(d.is_success(), "{d}");
    for (region, stack) in SITES {
        let kept: Vec<String> = local
            .retained_resources(region)
            .into_iter()
            .filter(|(ty, _)| ty == "AWS::S3::Bucket")
            .map(|(_, b)| b)
            .collect();
        assert_eq!(kept.len(), 1, "{region}: {kept:?}");
        let met = &d.stack(stack).unwrap().met;
        assert!(
            met.iter()
                .any(|m| m.starts_with(&format!("kept bucket `{}`", kept[0]))
                    && m.contains(&format!(" in {region}: it holds access logs"))),
            "{met:?}"
        );
        assert!(
            d.to_string()
                .contains(&format!("kept bucket `{}`", kept[0]))
        );
        assert!(
            !local
                .list_object_versions(region, &kept[0])
                .await
                .unwrap()
                .is_empty(),
            "the logs are kept"
        );
    }
}

/// Without `lift_deletion_protection` no database goes: the stacks that hold one are left as
/// they were and the report names the flag that would lift the protection.
#[tokio::test]
async fn a_dr_pair_keeps_its_databases_until_deletion_protection_may_be_lifted() {
    let (asm, local) = deployed_dr_pair().await;
    let global = physical_ids(
        &local,
        Region::UsEast2,
        "Shop-Primary-Data",
        "AWS::RDS::GlobalCluster",
    )
    .await
    .remove(0);

    // No flags: termination protection stops the first wave and the rest is skipped.
    let none = destroy(&local, &asm, &DestroyOptions::default(), &NullObserver).await;
    assert!(
        none.stacks
            .iter()
            .all(|r| matches!(r.outcome, DestroyOutcome::Blocked | DestroyOutcome::Skipped)),
        "{none}"
    );
    for art in &asm.stacks {
        assert!(
            local
                .describe_stack(art.region, &art.name)
                .await
                .unwrap()
                .is_some(),
            "{} was deleted",
            art.name
        );
    }

    // Everything but deletion protection may be lifted: the primary data stack is blocked by
    // its global cluster (and its cluster) before any call changes it. (The stacks that depend
    // on it are left out of this assembly; otherwise, still deployed, they keep it unattempted,
    // as the next step shows.)
    local.clear_call_log();
    let opts = DestroyOptions {
        lift_termination_protection: true,
        leave_global_cluster: true,
        only: Some(vec!["Shop-Primary-Data".into()]),
        ..Default::default()
    };
    let without_dependents = Assembly {
        stacks: asm
            .stacks
            .iter()
            .filter(|s| !matches!(s.name.as_str(), "Shop-Secondary-Data" | "Shop-Global"))
            .cloned()
            .collect(),
        ..asm.clone()
    };
    let kept = destroy(&local, &asm, &opts, &NullObserver).await;
    assert_eq!(
        kept.stack("Shop-Primary-Data").unwrap().outcome,
        DestroyOutcome::Skipped,
        "{kept}"
    );
    let d = destroy(&local, &without_dependents, &opts, &NullObserver).await;
    let data = d.stack("Shop-Primary-Data").unwrap();
    assert_eq!(data.outcome, DestroyOutcome::Blocked, "{d}");
    assert_eq!(data.mutating_calls, 0);
    assert_eq!(local.mutating_calls(), 0);
    let Some(DeployErrorKind::Protected { protections }) = data.error.as_ref().map(|e| e.kind())
    else {
        panic!("{:?}", data.error);
    };
    let global_line = protections
        .iter()
        .find(|p| p.what.starts_with("global cluster `"))
        .unwrap_or_else(|| panic!("the global cluster is not reported: {protections:?}"));
    assert_eq!(
        global_line.what,
        format!("global cluster `{global}` has deletion protection on")
    );
    assert_eq!(global_line.flag, "--lift-deletion-protection");
    let error = data.error.as_ref().unwrap().to_string();
    assert!(error.contains("--lift-deletion-protection"), "{error}");
    assert!(!error.contains("modify-global-cluster"), "{error}");
    let g = local
        .describe_global_cluster(Region::UsEast2, &global)
        .await
        .unwrap()
        .expect("the global cluster is kept");
    assert!(g.deletion_protection);
    assert_eq!(g.members.len(), 2, "no cluster left the global cluster");
    let stack = local
        .describe_stack(Region::UsEast2, "Shop-Primary-Data")
        .await
        .unwrap()
        .expect("the stack is kept");
    assert!(
        stack.termination_protection,
        "a blocked stack is left as it was"
    );

    // The same destroy over the whole pair: no database, global cluster or data stack goes.
    let opts = DestroyOptions { only: None, ..opts };
    let d = destroy(&local, &asm, &opts, &NullObserver).await;
    assert_eq!(
        d.stack("Shop-Secondary-Data").unwrap().outcome,
        DestroyOutcome::Blocked,
        "{d}"
    );
    assert_eq!(
        d.stack("Shop-Primary-Data").unwrap().outcome,
        DestroyOutcome::Skipped,
        "{d}"
    );
    assert!(
        d.protections().iter().any(
            |(r, p)| r.stack == "Shop-Secondary-Data" && p.flag == "--lift-deletion-protection"
        ),
        "{d}"
    );
    for (region, stack) in [
        (Region::UsEast2, "Shop-Primary-Data"),
        (Region::UsWest2, "Shop-Secondary-Data"),
    ] {
        assert!(
            local.describe_stack(region, stack).await.unwrap().is_some(),
            "{stack} was deleted"
        );
        for id in physical_ids(&local, region, stack, "AWS::RDS::DBCluster").await {
            assert!(
                local
                    .describe_db_cluster(region, &id)
                    .await
                    .unwrap()
                    .is_some(),
                "DB cluster {id} was deleted"
            );
        }
    }
    assert!(
        local
            .describe_global_cluster(Region::UsEast2, &global)
            .await
            .unwrap()
            .is_some()
    );

    // Then lifting it takes the rest down.
    let d = destroy(&local, &asm, &DestroyOptions::lift_all(), &NullObserver).await;
    assert!(d.is_success(), "{d}");
}

/// The simulator refuses to delete a stack whose global cluster is protected, with RDS's
/// reason, until `ModifyGlobalCluster` lifts the protection.
#[tokio::test]
async fn a_protected_global_cluster_fails_the_stack_delete_until_lifted() {
    let local = LocalCloud::in_memory();
    let mut art = artifact(
        "shop-global-db",
        Region::UsEast2,
        json!({"Resources": {"Global": {"Type": "AWS::RDS::GlobalCluster", "Properties": {
            "GlobalClusterIdentifier": "shop-global", "Engine": "aurora-mysql",
            "DeletionProtection": true
        }}}}),
    );
    art.termination_protection = false;
    let asm = Assembly {
        app: "shop".into(),
        stacks: vec![art],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    };
    deploy(&local, &asm, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let r = Region::UsEast2;
    let settle = async |local: &LocalCloud| loop {
        match local.describe_stack(r, "shop-global-db").await.unwrap() {
            None => return StackStatus::DeleteComplete,
            Some(s) if s.status.is_terminal() => return s.status,
            Some(_) => local.sleep(std::time::Duration::from_secs(5)).await,
        }
    };

    local.delete_stack(r, "shop-global-db").await.unwrap();
    assert_eq!(settle(&local).await, StackStatus::DeleteFailed);
    let events = local
        .describe_stack_events(r, "shop-global-db", None)
        .await
        .unwrap();
    let failed = events
        .iter()
        .find(|e| e.logical_id == "Global")
        .expect("the global cluster has events");
    assert_eq!(failed.status.as_str(), "DELETE_FAILED");
    assert_eq!(
        failed.status_reason.as_deref(),
        Some(
            "Cannot delete protected Global Cluster, please disable deletion protection and try again."
        )
    );
    assert!(
        local
            .describe_global_cluster(r, "shop-global")
            .await
            .unwrap()
            .is_some()
    );

    let missing = local
        .modify_global_cluster_deletion_protection(r, "no-such-global", false)
        .await
        .unwrap_err();
    match missing.kind() {
        CloudErrorKind::NotFound { .. } => {
            assert_eq!(missing.operation(), "ModifyGlobalCluster");
            assert_eq!(
                missing.message(),
                "GlobalClusterNotFoundFault: Global cluster no-such-global not found."
            );
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    // The identifier is not case-sensitive (ModifyGlobalCluster API reference).
    let g = local
        .modify_global_cluster_deletion_protection(r, "SHOP-GLOBAL", false)
        .await
        .unwrap();
    assert!(!g.deletion_protection);
    assert_eq!(g.identifier, "shop-global");

    local.delete_stack(r, "shop-global-db").await.unwrap();
    assert_eq!(settle(&local).await, StackStatus::DeleteComplete);
    assert_eq!(
        local
            .describe_global_cluster(r, "shop-global")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn allow_data_loss_replaces_the_database_and_keeps_the_policy() {
    let local = LocalCloud::in_memory();
    deploy(
        &local,
        &shop("shop-db", "a"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let before = local
        .get_stack_policy(Region::UsEast2, "shop-net")
        .await
        .unwrap()
        .unwrap();
    let opts = DeployOptions {
        allow_data_loss: true,
        ..Default::default()
    };
    let s = deploy(&local, &shop("shop-db-renamed", "a"), &opts, &NullObserver).await;
    assert!(s.is_success(), "{s}");
    let net = s.stack("shop-net").unwrap();
    assert_eq!(net.action, StackAction::Updated);
    assert!(
        net.output("DbEndpoint")
            .is_some_and(|e| e.contains("shop-db-renamed")),
        "{:?}",
        net.outputs
    );
    assert_eq!(
        local
            .get_stack_policy(Region::UsEast2, "shop-net")
            .await
            .unwrap()
            .unwrap(),
        before
    );
}

#[tokio::test]
async fn diff_marks_the_database_replacement() {
    let local = LocalCloud::in_memory();
    let first = shop("shop-db", "a");
    let d = dr_deploy::diff(&local, &first, &DeployOptions::default())
        .await
        .unwrap();
    assert!(d.iter().all(|s| !s.exists && !s.changes.is_empty()));
    deploy(&local, &first, &DeployOptions::default(), &NullObserver)
        .await
        .into_result()
        .unwrap();
    let d = dr_deploy::diff(
        &local,
        &shop("shop-db-renamed", "a"),
        &DeployOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        d[0].to_string(),
        "Stack shop-net (us-east-2)\n  \
         ! a deploy would change no stack, refused: `Db` (AWS::RDS::DBCluster) would be replaced: changing DBClusterIdentifier forces it\n  \
         ~ Db AWS::RDS::DBCluster (replace) (stateful: data loss)\n      DBClusterIdentifier: \"shop-db\" -> \"shop-db-renamed\" (replace)\n"
    );
    assert_eq!(
        d[1].to_string(),
        "Stack shop-app (us-west-2)\n  no changes\n"
    );
}

/// Templates over the inline limit go through a bucket of the stack's own Region: the upload
/// uses that Region's S3 endpoint, and a bucket answers another Region's endpoint with
/// `PermanentRedirect`, which the SDK does not follow. With one bucket per Region, the stacks
/// of both Regions deploy; a bucket named for the wrong Region is refused as S3 refuses it.
#[tokio::test]
async fn large_templates_go_through_a_bucket_per_region() {
    let big = |region: Region, name: &str| {
        let mut resources = serde_json::Map::new();
        for i in 0..400 {
            resources.insert(
                format!("Topic{i:03}"),
                json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": format!("{i:03}{}", "x".repeat(120))}}),
            );
        }
        artifact(name, region, json!({"Resources": resources}))
    };
    let asm = Assembly {
        app: "shop".into(),
        stacks: vec![big(Region::UsEast2, "big"), big(Region::UsWest2, "big-dr")],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    };
    assert!(asm.stacks[0].template_body().len() > 51_200);
    let local = LocalCloud::in_memory();
    // PutObject needs the bucket to exist, in its Region.
    local.create_bucket(Region::UsEast2, "shop-templates-us-east-2");
    local.create_bucket(Region::UsWest2, "shop-templates-us-west-2");

    // One bucket for both Regions: the DR Region's upload meets S3's redirect.
    let one = DeployOptions {
        template_buckets: TemplateBuckets::none()
            .with(Region::UsEast2, "shop-templates-us-east-2")
            .with(Region::UsWest2, "shop-templates-us-east-2"),
        ..Default::default()
    };
    let s = deploy(&local, &asm, &one, &NullObserver).await;
    assert_eq!(s.stack("big").unwrap().action, StackAction::Created, "{s}");
    let e = s
        .stack("big-dr")
        .unwrap()
        .error
        .as_ref()
        .unwrap()
        .to_string();
    assert!(e.contains("PermanentRedirect"), "{e}");

    let cloud = CallRecorder::new(local.clone());
    let per_region = DeployOptions {
        template_buckets: TemplateBuckets::parse(&["shop-templates-{region}"]).unwrap(),
        ..Default::default()
    };
    let s = deploy(&cloud, &asm, &per_region, &NullObserver).await;
    assert!(s.is_success(), "{s}");
    let puts: Vec<(Region, String)> = cloud
        .calls()
        .into_iter()
        .filter(|c| c.operation == "put_object")
        .map(|c| (c.region, c.target))
        .collect();
    assert_eq!(
        puts,
        [(Region::UsWest2, "shop-templates-us-west-2".to_string())],
        "only the stack not yet created uploads, to its own Region's bucket"
    );
    // Deployed from the URL, byte for byte.
    for art in &asm.stacks {
        assert_eq!(
            local.get_template(art.region, &art.name).await.unwrap(),
            art.template_body()
        );
    }
}

fn fleet_template(desired: &str, tag: &str, size: &str) -> Value {
    json!({
        "Parameters": {"Size": {"Type": "String", "Default": size}},
        "Resources": {
            "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
                "LaunchTemplateData": {"InstanceType": {"Ref": "Size"}, "UserData": "IyEvYmluL3No"}
            }},
            "Asg": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "1", "MaxSize": "6", "DesiredCapacity": desired,
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}, "Version": "1"},
                "Tags": [
                    {"Key": "app", "Value": "shop", "PropagateAtLaunch": true},
                    {"Key": "tier", "Value": tag, "PropagateAtLaunch": true}
                ]
            }}
        },
        "Outputs": {"Asg": {"Value": {"Ref": "Asg"}}}
    })
}

fn fleet(desired: &str, tag: &str, size: &str) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks: vec![artifact(
            "fleet",
            Region::UsEast2,
            fleet_template(desired, tag, size),
        )],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

#[tokio::test]
async fn diff_shows_old_and_new_values_at_the_deepest_level() {
    let local = LocalCloud::in_memory();
    deploy(
        &local,
        &fleet("3", "web", "t3.small"),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await
    .into_result()
    .unwrap();
    let mut changed = fleet("4", "api", "t3.large");
    let t = &mut changed.stacks[0].template;
    t["Outputs"]["Lt"] = json!({"Value": {"Ref": "Lt"}});
    t["Resources"]["Asg"]["Properties"]["Tags"][0]["Value"] =
        json!(format!("shop{}", "A".repeat(100)));
    let d = dr_deploy::diff(&local, &changed, &DeployOptions::default())
        .await
        .unwrap();
    let text = d[0].to_string();
    for line in [
        "  ~ Asg AWS::AutoScaling::AutoScalingGroup\n",
        "      DesiredCapacity: \"3\" -> \"4\"\n",
        "      Tags[1].Value: \"web\" -> \"api\"\n",
        "  ~ Lt AWS::EC2::LaunchTemplate\n",
        // A long value: the same window of both sides, cut with `…`.
        &format!(
            "      Tags[0].Value: \"shop\" -> \"shop{}…\n",
            "A".repeat(60 - "\"shop".len())
        ),
        // The template text is the same; the parameter it refers to changes.
        "      LaunchTemplateData: {\"InstanceType\":{\"Ref\":\"Size\"},\"UserData\":\"IyEvYmluL3No\"} (changes with parameter Size)\n",
        "  Parameters:\n    ~ Size: \"t3.small\" -> \"t3.large\"\n",
        "  Outputs:\n    + Lt: {\"Ref\":\"Lt\"}\n",
    ] {
        assert_eq!(text.matches(line).count(), 1, "{line:?} once in:\n{text}");
    }
    assert!(
        !text.contains("MinSize"),
        "unchanged property shown:\n{text}"
    );
}

#[tokio::test]
async fn a_blocked_destroy_says_each_protection_once_and_the_flags_once() {
    let local = LocalCloud::in_memory();
    let asm = dr_pair_assembly();
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    // The simulator's durations are virtual: the summary says so on each.
    let deployed = s.to_string();
    assert_eq!(
        deployed.matches(" (simulated), ").count(),
        asm.stacks.len(),
        "{deployed}"
    );

    let d = destroy(&local, &asm, &DestroyOptions::default(), &NullObserver).await;
    let text = d.to_string();
    let protections = d.protections();
    assert!(!protections.is_empty(), "{text}");
    for (r, p) in &protections {
        let line = format!("\n  {} ({})\n", p.what, p.flag);
        let under_stack = text
            .split(&format!("{} ({}): ", r.stack, r.region))
            .nth(1)
            .and_then(|rest| rest.split("\n  error").next())
            .unwrap_or_default();
        assert!(
            under_stack.contains(&line[1..]),
            "{line:?} under {}:\n{text}",
            r.stack
        );
    }
    for flag in d.lift_flags() {
        // One line per protection it lifts, and the list at the end.
        let uses = protections.iter().filter(|(_, p)| p.flag == flag).count();
        assert_eq!(text.matches(flag).count(), uses + 1, "{flag}:\n{text}");
    }
    let footer = format!(
        "Protected stacks were kept as they were; to delete them, add: {}\n",
        d.lift_flags().join(" ")
    );
    assert_eq!(text.matches("to delete them").count(), 1, "{text}");
    assert!(text.ends_with(&footer), "{text}");
    assert!(
        !text.contains("was not deleted"),
        "an error repeats a line:\n{text}"
    );
    // The error, printed wherever the stack's outcome is, counts what the summary lists.
    let blocked = d.stack("Shop-Secondary-Data").unwrap();
    assert_eq!(
        blocked.error.as_ref().unwrap().to_string(),
        "stack `Shop-Secondary-Data` (us-west-2) was not deleted: 3 protections are on (lift with \
         --lift-termination-protection --lift-deletion-protection --leave-global-cluster)"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 200), "{text}");
}

/// The stacks of `asm` as deployed: each template, to compare before and after a deploy.
async fn deployed_templates(local: &LocalCloud, asm: &Assembly) -> Vec<String> {
    let mut out = Vec::new();
    for s in &asm.stacks {
        out.push(local.get_template(s.region, &s.name).await.unwrap());
    }
    out
}

/// Changing the database engine replaces the global database and both clusters. Without a
/// preflight the site stacks (deployed first) took the new engine's port before the data
/// stack was refused; now every refusal is listed and no stack changes at all.
#[tokio::test]
async fn a_new_database_engine_is_refused_before_any_stack_changes() {
    let (asm, local) = deployed_dr_pair().await;
    let before = deployed_templates(&local, &asm).await;
    let postgres = dr_pair_assembly_with(
        "Grafana",
        dr_aws_constructs::KeyPair::Create,
        dr_aws_constructs::DatabaseProps::builder()
            .engine(dr_aws_constructs::AuroraEngine::PostgreSql)
            .build(),
    );
    let cloud = CallRecorder::new(local.clone());
    let s = deploy(&cloud, &postgres, &DeployOptions::default(), &NullObserver).await;
    assert!(!s.is_success());
    assert_eq!(cloud.mutating_calls(), [], "{s}");
    assert_eq!(deployed_templates(&local, &asm).await, before);
    for data in ["Shop-Primary-Data", "Shop-Secondary-Data"] {
        let r = s.stack(data).unwrap();
        assert_eq!(r.action, StackAction::Refused, "{s}");
        let Some(DeployErrorKind::PreflightRefused { changes }) =
            r.error.as_ref().map(|e| e.kind())
        else {
            panic!("{data}: {:?}", r.error);
        };
        let replaced: Vec<(&str, &[String])> = changes
            .iter()
            .map(|c| (c.resource_type.as_str(), c.properties.as_slice()))
            .collect();
        assert!(
            replaced
                .iter()
                .any(|(ty, props)| *ty == "AWS::RDS::DBCluster"
                    && props.contains(&"Engine".to_string())),
            "{data}: {replaced:?}"
        );
    }
    let primary_data = s
        .stack("Shop-Primary-Data")
        .unwrap()
        .error
        .as_ref()
        .unwrap()
        .to_string();
    assert!(
        primary_data.contains("AWS::RDS::GlobalCluster"),
        "{primary_data}"
    );
    for site in ["Shop-Primary", "Shop-Secondary", "Shop-Global"] {
        let r = s.stack(site).unwrap();
        assert_eq!(r.action, StackAction::Skipped, "{site}");
        assert_eq!(
            r.error.as_ref().unwrap().to_string(),
            format!(
                "stack `{site}` was not deployed: the preflight found problems in `Shop-Primary-Data`, `Shop-Secondary-Data`, so no stack was changed"
            )
        );
    }
}

/// Renaming a construct whose value another stack uses replaces the value: the load
/// balancer (a new construct path is a new resource) is aliased by the global stack, in the
/// DR Region for both sites. An export would lock it ("Export ... cannot be deleted as it is in
/// use", which the simulator enforces as CloudFormation does); a wired parameter follows it.
#[tokio::test]
async fn a_renamed_producer_construct_replaces_a_value_another_stack_uses() {
    // Without access logs: renaming a load balancer that created a log bucket would remove
    // the bucket, and its logs, which the preflight refuses.
    let pair = |lb_id: &str| {
        dr_pair_assembly_of(
            "Grafana",
            (lb_id, dr_aws_constructs::AccessLogs::Disabled),
            dr_aws_constructs::KeyPair::Create,
            dr_aws_constructs::DatabaseProps::builder().build(),
        )
    };
    let asm = pair("Lb");
    let local = LocalCloud::in_memory();
    let first = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert!(first.is_success(), "{first}");
    let renamed = pair("Balancer");
    let s = deploy(&local, &renamed, &DeployOptions::default(), &NullObserver).await;
    assert!(s.is_success(), "{s}");
    let global = renamed.stack("Shop-Global").unwrap();
    assert_eq!(
        s.stack("Shop-Global").unwrap().action,
        StackAction::Updated,
        "{s}"
    );
    let deployed = local
        .describe_stack(global.region, "Shop-Global")
        .await
        .unwrap()
        .unwrap();
    for site in ["Shop-Primary", "Shop-Secondary"] {
        assert_eq!(s.stack(site).unwrap().action, StackAction::Updated, "{s}");
        // The global stack now reads the renamed load balancer's DNS name.
        let wire = global
            .parameter_wiring
            .iter()
            .find(|w| {
                w.source.stack() == site
                    && w.parameter.contains("Balancer")
                    && w.parameter.contains("DNSName")
            })
            .unwrap_or_else(|| panic!("{site}: {:?}", global.parameter_wiring));
        let produced = s.output(site, wire.source.output()).unwrap().to_string();
        let old = first.output(site, wire.source.output());
        assert_eq!(old, None, "a new output for the new construct");
        assert_eq!(deployed.parameter(&wire.parameter).unwrap().value, produced);
        assert!(produced.contains(".elb.amazonaws.com"), "{produced}");
    }
    // Nothing of the old load balancer is left.
    let again = deploy(&local, &renamed, &DeployOptions::default(), &NullObserver).await;
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged),
        "{again}"
    );
    assert_ne!(
        asm.stack("Shop-Primary").unwrap().template,
        renamed.stack("Shop-Primary").unwrap().template
    );
}

/// An engine version change of the global database is refused, whatever data loss is allowed:
/// AWS upgrades a global database secondary first, and a deploy updates the primary first.
#[tokio::test]
async fn an_engine_upgrade_of_the_global_database_is_refused_with_what_to_do() {
    let (_, local) = deployed_dr_pair().await;
    let upgraded = dr_pair_assembly_with(
        "Grafana",
        dr_aws_constructs::KeyPair::Create,
        dr_aws_constructs::DatabaseProps::builder()
            .engine_version("8.0.mysql_aurora.3.11.1")
            .build(),
    );
    let cloud = CallRecorder::new(local.clone());
    let opts = DeployOptions {
        allow_data_loss: true,
        ..DeployOptions::default()
    };
    let s = deploy(&cloud, &upgraded, &opts, &NullObserver).await;
    assert_eq!(cloud.mutating_calls(), [], "{s}");
    let r = s.stack("Shop-Primary-Data").unwrap();
    assert_eq!(r.action, StackAction::Refused);
    let message = r.error.as_ref().unwrap().to_string();
    for needed in [
        "AWS::RDS::GlobalCluster",
        "would change EngineVersion from 8.0.mysql_aurora.3.10.3 to 8.0.mysql_aurora.3.11.1",
        "secondary clusters first",
        "aws rds modify-db-cluster --engine-version 8.0.mysql_aurora.3.11.1",
        "the templates catch up",
    ] {
        assert!(message.contains(needed), "missing {needed:?} in {message}");
    }
    assert!(!message.contains("--allow-data-loss"), "{message}");
    assert_eq!(
        s.stack("Shop-Secondary-Data").unwrap().action,
        StackAction::Refused
    );
}

/// Stacks an earlier drkit deployed pass a value through an export: the producer's export and
/// the consumer's import.
fn exported_vpc(export: bool) -> Assembly {
    let mut net = artifact(
        "shop-net",
        Region::UsEast2,
        json!({
            "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}}},
            "Outputs": if export {
                json!({"ExportsOutputRefVpc": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "shop-net:ExportsOutputRefVpc"}}})
            } else {
                json!({"WiredOutputRefVpc": {"Value": {"Ref": "Vpc"}}})
            }
        }),
    );
    net.termination_protection = false;
    let mut app = artifact(
        "shop-app",
        Region::UsEast2,
        if export {
            json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "app", "VpcId": {"Fn::ImportValue": "shop-net:ExportsOutputRefVpc"}
            }}}})
        } else {
            json!({
                "Parameters": {"WiredShopNetRefVpc": {"Type": "String"}},
                "Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": "app", "VpcId": {"Ref": "WiredShopNetRefVpc"}
                }}}
            })
        },
    );
    app.dependencies = vec!["shop-net".into()];
    if !export {
        app.parameter_wiring = vec![ParameterWiring {
            parameter: "WiredShopNetRefVpc".into(),
            source: WiringSource::Output {
                stack: "shop-net".into(),
                output: "WiredOutputRefVpc".into(),
            },
        }];
    }
    Assembly {
        app: "shop".into(),
        stacks: vec![net, app],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

/// Stacks deployed with exports move to parameters in one deploy: the producer keeps the
/// export its consumer still imports for its first update (CloudFormation refuses to delete an
/// export in use, and the simulator does too), the consumer switches to the parameter, and
/// then the export is dropped.
#[tokio::test]
async fn stacks_deployed_with_exports_move_to_parameters_in_one_deploy() {
    let local = LocalCloud::in_memory();
    let old = deploy(
        &local,
        &exported_vpc(true),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert!(old.is_success(), "{old}");
    let vpc = old
        .output("shop-net", "ExportsOutputRefVpc")
        .unwrap()
        .to_string();

    let s = deploy(
        &local,
        &exported_vpc(false),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert!(s.is_success(), "{s}");
    let net = s.stack("shop-net").unwrap();
    assert!(
        net.notes
            .iter()
            .any(|n| n.contains("dropped export(s) shop-net:ExportsOutputRefVpc")),
        "{s}"
    );
    let deployed_net = local
        .describe_stack(Region::UsEast2, "shop-net")
        .await
        .unwrap()
        .unwrap();
    let keys: Vec<&str> = deployed_net
        .outputs
        .iter()
        .map(|o| o.key.as_str())
        .collect();
    assert_eq!(keys, ["WiredOutputRefVpc"]);
    assert!(deployed_net.outputs.iter().all(|o| o.export_name.is_none()));
    let app = local
        .describe_stack(Region::UsEast2, "shop-app")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.parameter("WiredShopNetRefVpc").unwrap().value, vpc);
    // Settled: nothing left to change.
    let again = deploy(
        &local,
        &exported_vpc(false),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert!(
        again
            .stacks
            .iter()
            .all(|r| r.action == StackAction::Unchanged),
        "{again}"
    );
}

/// A value still exported to a deployed consumer cannot be kept when this deploy replaces what
/// it exports: CloudFormation would refuse the producer's update, so the preflight refuses
/// first, saying how to get there in two deploys.
#[tokio::test]
async fn an_exported_value_replaced_in_the_same_deploy_is_refused_up_front() {
    let local = LocalCloud::in_memory();
    let old = deploy(
        &local,
        &exported_vpc(true),
        &DeployOptions::default(),
        &NullObserver,
    )
    .await;
    assert!(old.is_success(), "{old}");
    let mut new = exported_vpc(false);
    let net = &mut new.stacks[0].template;
    net["Resources"]["Vpc"]["Properties"]["CidrBlock"] = json!("10.30.0.0/16");
    let cloud = CallRecorder::new(local.clone());
    let s = deploy(&cloud, &new, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(cloud.mutating_calls(), []);
    assert_eq!(
        s.stack("shop-net")
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .to_string(),
        "stack `shop-net` (us-east-2): export `shop-net:ExportsOutputRefVpc` is still imported by `shop-app`, and this deploy removes or replaces the value it exports, which CloudFormation refuses while the export is in use. drkit now passes values between stacks as parameters; deploy once without this change (so the importers switch to parameters and the export is dropped), then make it"
    );
}
