//! Synthesis: token resolution across stacks and Regions, dependencies, wiring, and the
//! errors a broken tree gets.

use dr_core::{App, Expr, Lookup, LookupKind, Output, Region, Stack, StackProps};
use dr_synth::{WiringSource, synth};
use serde_json::json;

fn stack(app: &App, id: &str, region: Region) -> Stack {
    Stack::new(app, id, StackProps::in_region(region))
}

#[test]
fn same_stack_tokens_become_ref_and_getatt() {
    let app = App::new("t");
    let s = stack(&app, "S", Region::UsEast2);
    let vpc = s.child("Vpc").add_resource(
        "Resource",
        "AWS::EC2::VPC",
        Expr::map([("CidrBlock", "10.0.0.0/16")]),
    );
    s.child("Sg").add_resource(
        "Resource",
        "AWS::EC2::SecurityGroup",
        Expr::map([
            ("VpcId", Expr::from(vpc.ref_())),
            ("GroupDescription", Expr::from(vpc.get_att("CidrBlock"))),
        ]),
    );
    let a = synth(&app).unwrap();
    let t = &a.stacks[0].template;
    let sg = t["Resources"].as_object().unwrap().values().nth(1).unwrap();
    assert_eq!(sg["Properties"]["VpcId"], json!({"Ref": vpc.logical_id()}));
    assert_eq!(
        sg["Properties"]["GroupDescription"],
        json!({"Fn::GetAtt": [vpc.logical_id(), "CidrBlock"]})
    );
    assert!(a.stacks[0].dependencies.is_empty());
}

/// A value used by another stack of the same Region travels as the cross-Region one does: an
/// output of the producer passed as a parameter of the consumer. An export would lock the
/// producer ("Export ... cannot be updated as it is in use") the day the value is replaced.
#[test]
fn same_region_tokens_become_output_and_wired_parameter_not_exports() {
    let app = App::new("t");
    let net = stack(&app, "Net", Region::UsEast2);
    let app_stack = stack(&app, "Apps", Region::UsEast2);
    let vpc = net.child("Vpc").add_resource(
        "Resource",
        "AWS::EC2::VPC",
        Expr::map([("CidrBlock", "10.0.0.0/16")]),
    );
    app_stack.child("Sg").add_resource(
        "Resource",
        "AWS::EC2::SecurityGroup",
        Expr::map([
            ("VpcId", Expr::from(vpc.ref_())),
            ("GroupDescription", Expr::from("x")),
        ]),
    );
    let a = synth(&app).unwrap();
    let net_t = &a.stack("Net").unwrap().template;
    let (out_id, out) = net_t["Outputs"].as_object().unwrap().iter().next().unwrap();
    assert!(out_id.starts_with("WiredOutputRefVpc"), "{out_id}");
    assert_eq!(out["Value"], json!({"Ref": vpc.logical_id()}));
    assert!(out.get("Export").is_none(), "{out}");
    let apps = a.stack("Apps").unwrap();
    assert_eq!(apps.dependencies, vec!["Net".to_string()]);
    assert_eq!(apps.parameter_wiring.len(), 1);
    let w = &apps.parameter_wiring[0];
    assert_eq!(
        w.source,
        WiringSource::Output {
            stack: "Net".into(),
            output: out_id.clone()
        }
    );
    assert!(w.parameter.starts_with("WiredNetRefVpc"), "{}", w.parameter);
    let sg = apps.template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(sg["Properties"]["VpcId"], json!({"Ref": w.parameter}));
    assert!(!apps.template_body().contains("Fn::ImportValue"));
}

#[test]
fn cross_region_tokens_become_output_parameter_and_wiring() {
    let app = App::new("t");
    let east = stack(&app, "East", Region::UsEast2);
    let west = stack(&app, "West", Region::UsWest2);
    let lb =
        east.child("Lb")
            .add_resource("Resource", "AWS::SNS::Topic", Expr::map::<&str, Expr>([]));
    west.add_output("EastTopic", Output::new(lb.get_att("TopicName")));
    west.add_output("EastTopicAgain", Output::new(lb.get_att("TopicName")));
    let a = synth(&app).unwrap();
    let east_a = a.stack("East").unwrap();
    let outs = east_a.template["Outputs"].as_object().unwrap();
    assert_eq!(
        outs.len(),
        1,
        "one output per distinct attribute, however often it is used"
    );
    let (out_id, out) = outs.iter().next().unwrap();
    assert!(out.get("Export").is_none(), "exports do not cross Regions");
    let west_a = a.stack("West").unwrap();
    assert_eq!(west_a.dependencies, vec!["East".to_string()]);
    assert_eq!(west_a.parameter_wiring.len(), 1);
    let w = &west_a.parameter_wiring[0];
    assert_eq!(
        w.source,
        WiringSource::Output {
            stack: "East".into(),
            output: out_id.clone()
        }
    );
    assert_eq!(
        west_a.template["Parameters"][&w.parameter]["Type"],
        json!("String")
    );
    assert_eq!(
        west_a.template["Outputs"]["EastTopic"]["Value"],
        json!({"Ref": w.parameter})
    );
    // Producers come first.
    assert_eq!(a.stacks[0].name, "East");
}

#[test]
fn lookups_are_wired_through_a_parameter() {
    let app = App::new("t");
    let data = stack(&app, "Data", Region::UsEast2);
    let dns = stack(&app, "Dns", Region::UsWest2);
    let global = data.child("Global").add_resource(
        "Resource",
        "AWS::RDS::GlobalCluster",
        Expr::map([("Engine", "aurora-mysql")]),
    );
    dns.add_output(
        "Writer",
        Output::new(Lookup {
            kind: LookupKind::GlobalClusterWriterEndpoint,
            input: global.ref_(),
        }),
    );
    let a = synth(&app).unwrap();
    let d = a.stack("Dns").unwrap();
    let w = &d.parameter_wiring[0];
    match &w.source {
        WiringSource::Lookup {
            kind,
            stack,
            output,
        } => {
            assert_eq!(*kind, LookupKind::GlobalClusterWriterEndpoint);
            assert_eq!(stack, "Data");
            assert_eq!(
                a.stack("Data").unwrap().template["Outputs"][output]["Value"],
                json!({"Ref": global.logical_id()})
            );
        }
        other => panic!("expected a lookup, got {other:?}"),
    }
    let manifest = a.manifest();
    assert_eq!(
        manifest["artifacts"]["Dns"]["properties"]["parameterWiring"][0]["lookup"],
        json!("rds:global-cluster-writer-endpoint")
    );
}

#[test]
fn token_from_another_app_is_an_error() {
    let other = App::new("other");
    let os = stack(&other, "O", Region::UsEast2);
    let foreign =
        os.child("T")
            .add_resource("Resource", "AWS::SNS::Topic", Expr::map::<&str, Expr>([]));
    let app = App::new("t");
    let s = stack(&app, "S", Region::UsEast2);
    s.add_output("X", Output::new(foreign.ref_()));
    let err = synth(&app).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].path, "S/X");
    assert_eq!(
        e[0].message,
        "a reference to a construct of another App is used here"
    );
}

#[test]
fn stack_cycles_are_an_error_naming_the_cycle() {
    let app = App::new("t");
    let a = stack(&app, "A", Region::UsEast2);
    let b = stack(&app, "B", Region::UsEast2);
    let ta = a
        .child("T")
        .add_resource("Resource", "AWS::SNS::Topic", Expr::map::<&str, Expr>([]));
    let tb = b
        .child("T")
        .add_resource("Resource", "AWS::SNS::Topic", Expr::map::<&str, Expr>([]));
    a.add_output("FromB", Output::new(tb.ref_()));
    b.add_output("FromA", Output::new(ta.ref_()));
    let err = synth(&app).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1, "{err}");
    assert_eq!(e[0].code, "DRK-STACK-004");
    assert_eq!(
        e[0].message,
        "stacks depend on each other in a cycle: A -> B -> A"
    );
}

#[test]
fn over_limit_template_is_an_error() {
    let app = App::new("t");
    let s = stack(&app, "Big", Region::UsEast2);
    for i in 0..501 {
        s.child(&format!("T{i}")).add_resource(
            "Resource",
            "AWS::SNS::Topic",
            Expr::map::<&str, Expr>([]),
        );
    }
    let err = synth(&app).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1, "{err}");
    assert_eq!(e[0].path, "Big");
    assert_eq!(
        e[0].message,
        "template has 501 resources; CloudFormation allows at most 500"
    );
}

#[test]
fn all_errors_are_reported_together() {
    let app = App::new("t");
    let s = stack(&app, "bad_name", Region::UsEast2);
    s.child("X");
    s.child("X");
    let err = synth(&app).unwrap_err();
    assert_eq!(err.errors().count(), 2, "{err}");
    let text = err.to_string();
    assert!(text.contains("error[DRK-STACK-001] bad_name:"), "{text}");
    assert!(
        text.contains(
            "error[DRK-TREE-001] bad_name/X: there is already a construct with id `X` in `bad_name`"
        ),
        "{text}"
    );
}

#[test]
fn same_program_gives_identical_bytes() {
    let build = || {
        let app = App::new("t");
        let east = stack(&app, "East", Region::UsEast2);
        let west = stack(&app, "West", Region::UsWest2);
        let t = east.child("T").add_resource(
            "Resource",
            "AWS::SNS::Topic",
            Expr::map::<&str, Expr>([]),
        );
        west.add_output("X", Output::new(t.get_att("TopicName")));
        let dir = tempfile::tempdir().unwrap();
        synth(&app).unwrap().write(dir.path()).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first = build();
    assert_eq!(first.len(), 3);
    assert_eq!(first, build());
}

#[test]
fn assembly_round_trips_through_its_directory() {
    let app = App::new("t");
    let east = stack(&app, "East", Region::UsEast2);
    let west = stack(&app, "West", Region::UsWest2);
    let t =
        east.child("T")
            .add_resource("Resource", "AWS::SNS::Topic", Expr::map::<&str, Expr>([]));
    west.add_output("X", Output::new(t.get_att("TopicName")));
    let a = synth(&app).unwrap();
    let dir = tempfile::tempdir().unwrap();
    a.write(dir.path()).unwrap();
    let back = dr_synth::Assembly::read(dir.path()).unwrap();
    assert_eq!(back.stacks, a.stacks);
    assert_eq!(back.app, "t");
    assert_eq!(
        a.manifest()["artifacts"]["West"]["environment"],
        json!("aws://unknown-account/us-west-2")
    );
}

#[test]
fn stack_names_are_unique_within_the_app() {
    let app = App::new("t");
    stack(&app, "Net", Region::UsEast2);
    Stack::new(
        &app,
        "Other",
        StackProps {
            stack_name: Some("Net".into()),
            ..StackProps::in_region(Region::UsWest2)
        },
    );
    let err = synth(&app).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1, "{err}");
    assert_eq!(e[0].code, "DRK-STACK-003");
    assert_eq!(e[0].path, "Other");
    assert_eq!(e[0].message, "stack name `Net` is also used by `Net`");
}

/// A nested property override lands in the template on top of the construct's properties,
/// and a reference given as its value resolves like any other (here across stacks).
#[test]
fn property_overrides_reach_the_template_and_their_tokens_resolve() {
    let app = App::new("t");
    let net = stack(&app, "Net", Region::UsEast2);
    let apps = stack(&app, "Apps", Region::UsEast2);
    let vpc = net.child("Vpc").add_resource(
        "Resource",
        "AWS::EC2::VPC",
        Expr::map([("CidrBlock", "10.0.0.0/16")]),
    );
    let lt = apps.child("Lt").add_resource(
        "Resource",
        "AWS::EC2::LaunchTemplate",
        Expr::from(
            json!({"LaunchTemplateData": {"ImageId": "ami-1", "TagSpecifications": [
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}
            ]}}),
        ),
    );
    lt.add_property_override("LaunchTemplateData.MetadataOptions.HttpTokens", "required");
    lt.add_property_override(
        "LaunchTemplateData.TagSpecifications.0.Tags.0.Value",
        vpc.ref_(),
    );
    lt.add_property_deletion_override("LaunchTemplateData.ImageId");
    let a = synth(&app).unwrap();
    let t = &a.stack("Apps").unwrap().template;
    let data = &t["Resources"][lt.logical_id()]["Properties"]["LaunchTemplateData"];
    assert_eq!(data["MetadataOptions"], json!({"HttpTokens": "required"}));
    assert!(data.get("ImageId").is_none(), "{data}");
    let tag = &data["TagSpecifications"][0]["Tags"][0]["Value"];
    let apps = a.stack("Apps").unwrap();
    let wired = tag["Ref"].as_str().unwrap_or_default();
    assert!(
        apps.parameter_wiring.iter().any(|w| w.parameter == wired),
        "{tag}"
    );
    assert_eq!(apps.dependencies, ["Net"]);
}

#[test]
fn a_property_override_into_a_string_stops_synthesis_on_the_resource() {
    let app = App::new("t");
    let s = stack(&app, "S", Region::UsEast2);
    let vpc = s.child("Vpc").add_resource(
        "Resource",
        "AWS::EC2::VPC",
        Expr::map([("CidrBlock", "10.0.0.0/16")]),
    );
    vpc.add_property_override("CidrBlock.0", "10.1.0.0/16");
    let e = synth(&app).expect_err("the override cannot apply");
    let d: Vec<_> = e.errors().collect();
    assert_eq!(d.len(), 1, "{e}");
    assert_eq!(d[0].code, "DRK-TREE-004");
    assert_eq!(d[0].path, "S/Vpc/Resource");
    assert_eq!(
        d[0].message,
        "property override `CidrBlock.0`: `CidrBlock` is a string, not an object or a list"
    );
}
