//! Where a first deploy's time goes: the waves and the critical path the deploy summary prints
//! (`drkit::deploy::Timeline`), and the example's critical path against the floor AWS imposes,
//! both on the simulator's durations.

use drkit::cli::{Invocation, Target, deploy_summary};
use drkit::core::cloud::Cloud;
use drkit::deploy::{DeployOptions, NullObserver, Timeline, deploy};
use drkit::local::durations::{CHANGE_SET_SECS, create_secs};
use serde_json::{Value, json};

use crate::two_region;

/// The properties of the example's one resource of `type_name` in `stack` that `pick` selects.
fn properties(
    assembly: &drkit::synth::Assembly,
    stack: &str,
    type_name: &str,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    assembly.stack(stack).unwrap().template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == type_name && pick(&r["Properties"]))
        .map(|r| r["Properties"].clone())
        .unwrap_or_else(|| panic!("{stack} has no {type_name}"))
}

/// The first deploy's floor, from the simulator's own table: the chain AWS makes sequential.
/// A DB subnet group needs the VPC's subnets; the global cluster comes before the primary
/// cluster, which needs its writer instance before a secondary can join; the secondary
/// cluster needs its instance too. Each of the three stacks holding that chain (network,
/// primary data, secondary data) also pays one change set.
fn floor_secs(assembly: &drkit::synth::Assembly) -> u64 {
    let none = json!({});
    let primary = properties(assembly, "Shop-Primary-Data", "AWS::RDS::DBCluster", |_| {
        true
    });
    let secondary = properties(
        assembly,
        "Shop-Secondary-Data",
        "AWS::RDS::DBCluster",
        |_| true,
    );
    assert!(
        secondary.get("MasterUsername").is_none(),
        "a global secondary"
    );
    [
        create_secs("AWS::EC2::VPC", &none),
        create_secs("AWS::EC2::Subnet", &none),
        create_secs("AWS::RDS::DBSubnetGroup", &none),
        create_secs("AWS::RDS::GlobalCluster", &none),
        create_secs("AWS::RDS::DBCluster", &primary),
        create_secs("AWS::RDS::DBInstance", &none),
        create_secs("AWS::RDS::DBCluster", &secondary),
        create_secs("AWS::RDS::DBInstance", &none),
        3 * CHANGE_SET_SECS,
    ]
    .iter()
    .sum()
}

/// The example's first deploy on the simulator is within 15 % of the floor: Aurora starts as
/// soon as the network exists, beside the compute (EKS) rather than after it, and the global
/// stack runs beside the secondary cluster.
#[test]
fn the_first_deploys_critical_path_is_the_databases_and_within_15_percent_of_the_floor() {
    let assembly = drkit::synth::synth(&two_region::build()).unwrap();
    let (_dir, summary) = crate::deploy_on_simulator(&assembly);
    let timeline = Timeline::new(&assembly, &summary);
    assert!(timeline.simulated);
    let path: Vec<&str> = timeline
        .critical_path
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        path,
        [
            "Shop-Primary-Network",
            "Shop-Primary-Data",
            "Shop-Secondary-Data"
        ]
    );
    let floor = floor_secs(&assembly);
    let total = timeline.total().as_secs();
    assert!(
        total * 100 <= floor * 115,
        "critical path {total} s is more than 15 % above the floor {floor} s:\n{timeline}"
    );
    // The site stacks (EKS) finish before the primary's data stack: they are off the path.
    let end_of = |name: &str| {
        timeline
            .waves
            .iter()
            .flat_map(|w| &w.stacks)
            .find(|s| s.name == name)
            .unwrap()
            .end
    };
    assert!(end_of("Shop-Primary") < end_of("Shop-Primary-Data"));
    assert!(end_of("Shop-Global") < end_of("Shop-Secondary-Data"));
    // Each stack starts in the wave after the stacks it needs.
    let wave_of = |name: &str| {
        timeline
            .waves
            .iter()
            .find(|w| w.stacks.iter().any(|s| s.name == name))
            .unwrap()
            .number
    };
    for s in &assembly.stacks {
        for d in &s.dependencies {
            assert!(wave_of(d) < wave_of(&s.name), "{} after {d}", s.name);
        }
    }
}

/// The deploy summary prints the waves and the critical path after a deploy that created
/// stacks, and neither after one that changed nothing.
#[test]
fn the_deploy_summary_prints_the_waves_and_critical_path_when_stacks_changed() {
    let assembly = drkit::synth::synth(&two_region::build()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cloud = drkit::local::LocalCloud::open(dir.path().join("state.json")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = || {
        rt.block_on(deploy(
            &cloud,
            &assembly,
            &DeployOptions::default(),
            &NullObserver,
        ))
    };
    let invocation = Invocation::Program("two_region".into());
    let first = run();
    assert!(first.is_success(), "{first}");
    let text = deploy_summary(&assembly, &first, Target::Local, &invocation);
    let waves = text.find("Waves (simulated):\n").expect("waves");
    let path_at = text.find("Critical path: ").expect("critical path");
    let app_at = text.find("\nApp: ").expect("the app's URL");
    assert!(waves < path_at && path_at < app_at, "{text}");
    // Wave 1 holds the two network stacks, and nothing else.
    let wave1 = text[waves..]
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    assert!(
        wave1.contains("Shop-Primary-Network") && wave1.contains("Shop-Secondary-Network"),
        "{wave1}"
    );
    assert!(!wave1.contains("Shop-Primary ("), "{wave1}");
    // The path, joined across its wrapped lines, ends with its total, the simulated time of
    // the whole deploy.
    let path: String = text[path_at..app_at]
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let total = drkit::deploy::human_duration(Timeline::new(&assembly, &first).total());
    assert!(
        path.ends_with(&format!(
            "Shop-Secondary-Data (25m28s) = {total} (simulated)"
        )),
        "{path}"
    );
    assert!(
        path.starts_with("Critical path: Shop-Primary-Network ("),
        "{path}"
    );

    let second = run();
    assert!(cloud.is_simulated() && second.is_success(), "{second}");
    let text = deploy_summary(&assembly, &second, Target::Local, &invocation);
    assert!(!text.contains("Waves"), "{text}");
    assert!(!text.contains("Critical path"), "{text}");
    assert!(text.contains("App: "), "{text}");
}
