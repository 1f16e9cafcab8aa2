//! A deploy during an outage of the primary Region, in each shape an outage takes at the API
//! (no answer; only 5xx server errors after the SDK's retries), against the simulator: the DR
//! Region's stacks still deploy, keeping the values wired from the unreachable Region, and the
//! report names that Region. A 4xx from the primary is no outage and holds its dependents
//! back as any failure does.

use dr_core::Region;
use dr_core::cloud::{Cloud, CloudErrorKind};
use dr_deploy::{DeployErrorKind, DeployOptions, NullObserver, StackAction, deploy};
use dr_local::{LocalCloud, Outage, ServerFault};
use dr_synth::assembly::Assembly;
use serde_json::json;

use crate::on_local::{deployed_dr_pair, wired_from};

const PRIMARY: [&str; 4] = [
    "Shop-Primary-Network",
    "Shop-Primary",
    "Shop-Primary-Data",
    "Shop-Primary-Peering",
];
const DR_UNCHANGED: [&str; 4] = [
    "Shop-Secondary-Network",
    "Shop-Secondary",
    "Shop-Secondary-Data",
    "Shop-Secondary-Peering",
];

/// The pair with one change to the global stack (in the DR Region, wired from the primary's
/// stacks): the database CNAME's TTL.
fn with_a_global_change(asm: &Assembly) -> Assembly {
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
    cname["Properties"]["TTL"] = json!("20");
    changed
}

/// In an outage of the primary Region, of either shape, the DR Region's stacks deploy: the
/// global stack (which depends on all three primary stacks) is updated with the values wired
/// from the primary kept as deployed, each kept value noted; the primary's stacks fail naming
/// us-east-2 and the shape (what the aws backend reports for a timeout, or for a 5xx that
/// outlasted the SDK's retries).
#[tokio::test]
async fn a_deploy_in_a_primary_outage_of_each_shape_updates_the_dr_region() {
    let shapes = [
        (Outage::NoAnswer, "Region us-east-2 is unavailable: "),
        (
            Outage::ServerErrors(ServerFault::InternalFailure),
            "Region us-east-2 answered HTTP 500 (a server error, after the SDK's retries): InternalFailure: ",
        ),
        (
            Outage::ServerErrors(ServerFault::ServiceUnavailable),
            "Region us-east-2 answered HTTP 503 (a server error, after the SDK's retries): ServiceUnavailable: ",
        ),
    ];
    for (outage, says) in shapes {
        let (asm, local) = deployed_dr_pair().await;
        let before = local
            .describe_stack(Region::UsWest2, "Shop-Global")
            .await
            .unwrap()
            .unwrap();
        let changed = with_a_global_change(&asm);
        local.set_region_outage(Region::UsEast2, Some(outage));

        // diff: the primary's stacks cannot be read, the DR Region's are compared.
        let d = dr_deploy::diff(&local, &changed, &DeployOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{outage:?}: diff failed: {e}"));
        let unknown: Vec<&str> = d
            .iter()
            .filter(|s| s.unreachable.is_some())
            .map(|s| s.stack.as_str())
            .collect();
        assert_eq!(unknown, PRIMARY, "{outage:?}");
        let global_diff = d.iter().find(|s| s.stack == "Shop-Global").unwrap();
        assert_eq!(global_diff.changes.len(), 1, "{outage:?}: {global_diff}");

        let s = deploy(&local, &changed, &DeployOptions::default(), &NullObserver).await;
        let report = s.to_string();
        // The first primary stack fails by the outage; its dependents in the same Region are
        // held back rather than deployed against it.
        for name in &PRIMARY[1..] {
            let r = s.stack(name).unwrap();
            assert_eq!(r.action, StackAction::Skipped, "{outage:?} {name}: {s}");
            assert!(matches!(
                r.error.as_ref().unwrap().kind(),
                DeployErrorKind::DependencyFailed { .. }
            ));
        }
        for name in &PRIMARY[..1] {
            let r = s.stack(name).unwrap();
            assert_eq!(r.action, StackAction::Failed, "{outage:?} {name}: {s}");
            assert!(
                r.failed_by_region_outage(),
                "{outage:?} {name}: {:?}",
                r.error
            );
            let e = r.error.as_ref().unwrap();
            assert_eq!(
                e.cloud_error().and_then(|c| c.outage_region()),
                Some(Region::UsEast2),
                "{outage:?} {name}: {e:?}"
            );
            assert!(e.to_string().contains(says), "{outage:?} {name}: {e}");
        }
        for name in DR_UNCHANGED {
            assert_eq!(
                s.stack(name).unwrap().action,
                StackAction::Unchanged,
                "{outage:?} {name}: {s}"
            );
        }
        let g = s.stack("Shop-Global").unwrap();
        assert_eq!(g.action, StackAction::Updated, "{outage:?}: {s}");
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
        // The global writer endpoint is asked of the DR Region, a member of the global
        // cluster, rather than kept.
        assert_eq!(kept, from_primary - 1, "{outage:?}: {:#?}", g.notes);
        assert!(
            g.notes
                .iter()
                .any(|n| n.contains("was read from stack `Shop-Secondary-Data` (us-west-2)")),
            "{outage:?}: {:#?}",
            g.notes
        );
        // The report says which Region did not answer and how.
        assert!(report.contains(says), "{outage:?}: {report}");
        assert!(
            report.contains("(us-east-2) does not answer"),
            "{outage:?}: {report}"
        );

        let after = local
            .describe_stack(Region::UsWest2, "Shop-Global")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            after.parameters, before.parameters,
            "{outage:?}: kept values are the deployed ones"
        );

        // Once the Region answers again, the primary's stacks have nothing to change.
        local.set_region_outage(Region::UsEast2, None);
        let healed = deploy(&local, &changed, &DeployOptions::default(), &NullObserver).await;
        assert!(healed.is_success(), "{outage:?}: {healed}");
    }
}

/// A first deploy in a server-error outage cannot invent the primary's values either: the DR
/// stacks that need none deploy, the global stack fails naming the value and the Region.
#[tokio::test]
async fn a_first_deploy_in_a_server_error_outage_names_the_values_it_cannot_have() {
    let asm = crate::on_local::dr_pair_assembly();
    let local = LocalCloud::in_memory();
    local.set_region_outage(
        Region::UsEast2,
        Some(Outage::ServerErrors(ServerFault::ServiceUnavailable)),
    );
    let s = deploy(&local, &asm, &DeployOptions::default(), &NullObserver).await;
    assert_eq!(
        s.stack("Shop-Secondary").unwrap().action,
        StackAction::Created,
        "{s}"
    );
    let g = s.stack("Shop-Global").unwrap();
    assert_eq!(g.action, StackAction::Failed, "{s}");
    let err = g.error.as_ref().expect("Shop-Global's error");
    assert!(
        matches!(
            err.kind(),
            DeployErrorKind::ProducerUnreachable {
                producer_region: Region::UsEast2,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A 4xx from the primary Region is the Region answering: its stack fails as any failure
/// does, and the DR stacks that depend on it are held back (not deployed with kept values).
#[tokio::test]
async fn a_client_error_in_the_primary_region_is_no_outage() {
    let (asm, local) = deployed_dr_pair().await;
    let mut changed = with_a_global_change(&asm);
    // A template CloudFormation refuses (ValidationError, HTTP 400): a Ref to nothing.
    let primary = changed
        .stacks
        .iter_mut()
        .find(|s| s.name == "Shop-Primary")
        .unwrap();
    primary.template["Resources"]["Broken"] = json!({
        "Type": "AWS::EC2::VPC",
        "Properties": {"CidrBlock": {"Ref": "NoSuchParameter"}}
    });
    let s = deploy(&local, &changed, &DeployOptions::default(), &NullObserver).await;
    let p = s.stack("Shop-Primary").unwrap();
    assert!(!p.action.is_success(), "{s}");
    assert!(!p.failed_by_region_outage(), "{:?}", p.error);
    let refused = p.error.as_ref().and_then(|e| e.cloud_error());
    assert!(
        matches!(refused.map(|e| e.kind()), Some(CloudErrorKind::Validation)),
        "{refused:?}"
    );
    let g = s.stack("Shop-Global").unwrap();
    assert_eq!(g.action, StackAction::Skipped, "{s}");
    assert!(
        matches!(
            g.error.as_ref().map(|e| e.kind()),
            Some(DeployErrorKind::DependencyFailed { dependency }) if dependency == "Shop-Primary"
        ),
        "{:?}",
        g.error
    );
    assert_eq!(
        local
            .describe_stack(Region::UsWest2, "Shop-Global")
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "CREATE_COMPLETE",
        "the DR Region's global stack was left alone"
    );
}
