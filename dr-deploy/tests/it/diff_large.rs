//! `diff` of a stack whose template is over CloudFormation's inline limit (51,200 bytes): a
//! change set would need the template uploaded to S3 first, so the diff is computed from the
//! deployed and synthesized templates, with reads only and no template bucket, in the shapes a
//! change set gives.

use dr_core::Region;
use dr_core::cloud::Replacement;
use dr_core::template::MAX_INLINE_TEMPLATE_BYTES;
use dr_deploy::{
    CallRecorder, ChangeKind, DeployOptions, NullObserver, PropertyReplacement, ResourceDiff,
    StackDiff, TemplateBuckets, deploy,
};
use dr_local::LocalCloud;
use dr_synth::assembly::{Assembly, StackArtifact};
use serde_json::{Value, json};

/// A network, a security group in it and a log group, with `fillers` SNS topics whose long
/// names make the template as large as wanted.
fn template(fillers: usize) -> Value {
    let mut resources = serde_json::Map::new();
    resources.insert(
        "Vpc".into(),
        json!({"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}),
    );
    resources.insert(
        "Sg".into(),
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "app", "VpcId": {"Ref": "Vpc"}
        }}),
    );
    resources.insert(
        "Logs".into(),
        json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}),
    );
    for i in 0..fillers {
        resources.insert(
            format!("Topic{i:03}"),
            json!({"Type": "AWS::SNS::Topic", "Properties": {
                "DisplayName": format!("{i:03}{}", "x".repeat(120))
            }}),
        );
    }
    json!({"Resources": resources})
}

/// The changes the test makes: a create-only property (the VPC's CIDR, which the security
/// group's create-only `VpcId` then reads at deploy time), a property updated in place, a new
/// resource and a removed one.
fn changed(mut t: Value, removed: &str) -> Value {
    t["Resources"]["Vpc"]["Properties"]["CidrBlock"] = json!("10.1.0.0/16");
    t["Resources"]["Logs"]["Properties"]["RetentionInDays"] = json!(14);
    t["Resources"]["Alerts"] = json!({"Type": "AWS::SNS::Topic", "Properties": {}});
    t["Resources"]
        .as_object_mut()
        .unwrap()
        .shift_remove(removed)
        .unwrap();
    t
}

fn assembly(name: &str, template: Value) -> Assembly {
    Assembly {
        app: "shop".into(),
        stacks: vec![StackArtifact {
            name: name.into(),
            path: format!("shop/{name}"),
            region: Region::UsEast2,
            account: None,
            template,
            dependencies: vec![],
            parameter_wiring: vec![],
            termination_protection: false,
        }],
        dr_pairs: Vec::new(),
        warnings: vec![],
        extra_files: vec![],
    }
}

fn change<'d>(d: &'d StackDiff, id: &str) -> &'d ResourceDiff {
    d.changes
        .iter()
        .find(|c| c.logical_id == id)
        .unwrap_or_else(|| panic!("no change of {id} in:\n{d}"))
}

/// The diff of a large template: the changes, the replacement flags, the note that it was
/// computed from the templates, and not one mutating call (no upload, no change set), with and
/// without a template bucket named.
#[tokio::test]
async fn a_large_template_is_diffed_from_the_templates_without_an_upload() {
    let first = assembly("big", template(400));
    assert!(first.stacks[0].template_body().len() > MAX_INLINE_TEMPLATE_BYTES);
    let local = LocalCloud::in_memory();
    local.create_bucket(Region::UsEast2, "shop-templates-us-east-2");
    let with_bucket = DeployOptions {
        template_buckets: TemplateBuckets::none().with(Region::UsEast2, "shop-templates-us-east-2"),
        ..Default::default()
    };
    deploy(&local, &first, &with_bucket, &NullObserver)
        .await
        .into_result()
        .unwrap();

    let next = assembly("big", changed(template(400), "Topic399"));
    assert!(next.stacks[0].template_body().len() > MAX_INLINE_TEMPLATE_BYTES);
    for options in [with_bucket.clone(), DeployOptions::default()] {
        local.clear_call_log();
        let cloud = CallRecorder::new(local.clone());
        let diffs = dr_deploy::diff(&cloud, &next, &options).await.unwrap();
        let d = &diffs[0];
        let text = d.to_string();

        assert_eq!(cloud.mutating_calls(), [], "{text}");
        assert_eq!(local.mutating_calls(), 0, "{text}");
        let operations: Vec<&str> = cloud.calls().into_iter().map(|c| c.operation).collect();
        for never in ["put_object", "create_change_set", "delete_change_set"] {
            assert!(!operations.contains(&never), "{never}: {operations:?}");
        }
        assert!(operations.contains(&"get_template"), "{operations:?}");

        assert!(
            text.starts_with(
                "Stack big (us-east-2)\n  computed from the templates (over 51,200 bytes, so no \
                 change set and no upload)\n"
            ),
            "{text}"
        );
        // Only what changed, each once.
        let mut ids: Vec<&str> = d.changes.iter().map(|c| c.logical_id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["Alerts", "Logs", "Sg", "Topic399", "Vpc"], "{text}");
        assert_eq!(change(d, "Alerts").kind, ChangeKind::Added);
        assert_eq!(change(d, "Topic399").kind, ChangeKind::Removed);

        let ChangeKind::Modified {
            replacement,
            properties,
        } = &change(d, "Vpc").kind
        else {
            panic!("Vpc not modified:\n{text}");
        };
        assert_eq!(*replacement, Some(Replacement::True), "{text}");
        assert_eq!(properties.len(), 1, "{text}");
        assert_eq!(properties[0].path, "CidrBlock");
        assert_eq!(properties[0].old, Some(json!("10.0.0.0/16")));
        assert_eq!(properties[0].new, Some(json!("10.1.0.0/16")));
        assert_eq!(properties[0].replacement, PropertyReplacement::Always);

        // Its text is unchanged; the VPC it names is replaced, known only at deploy time.
        let ChangeKind::Modified {
            replacement,
            properties,
        } = &change(d, "Sg").kind
        else {
            panic!("Sg not modified:\n{text}");
        };
        assert_eq!(*replacement, Some(Replacement::Conditional), "{text}");
        assert_eq!(properties.len(), 1, "{text}");
        assert_eq!(properties[0].path, "VpcId");
        assert_eq!(properties[0].via.as_deref(), Some("resource Vpc"), "{text}");
        assert_eq!(properties[0].replacement, PropertyReplacement::Always);

        let ChangeKind::Modified {
            replacement,
            properties,
        } = &change(d, "Logs").kind
        else {
            panic!("Logs not modified:\n{text}");
        };
        assert_eq!(*replacement, Some(Replacement::False), "{text}");
        assert_eq!(properties.len(), 1, "{text}");
        assert_eq!(properties[0].path, "RetentionInDays");
        assert_eq!(properties[0].old, Some(json!(7)));
        assert_eq!(properties[0].new, Some(json!(14)));
        assert_eq!(properties[0].replacement, PropertyReplacement::Never);

        for line in [
            "  ~ Vpc AWS::EC2::VPC (replace)\n      CidrBlock: \"10.0.0.0/16\" -> \"10.1.0.0/16\" (replace)\n",
            "  ~ Sg AWS::EC2::SecurityGroup (may replace)\n      VpcId: {\"Ref\":\"Vpc\"} (changes with resource Vpc) (replace)\n",
            "  ~ Logs AWS::Logs::LogGroup\n      RetentionInDays: 7 -> 14\n",
            "  + Alerts AWS::SNS::Topic\n",
            "  - Topic399 AWS::SNS::Topic\n",
        ] {
            assert_eq!(text.matches(line).count(), 1, "{line:?} once in:\n{text}");
        }
    }
}

/// The same changes to a template under the limit go through the simulator's change set: the
/// comparison of templates gives the same resource changes, property by property.
#[tokio::test]
async fn the_templates_give_the_change_sets_resource_changes() {
    let local = LocalCloud::in_memory();
    local.create_bucket(Region::UsEast2, "shop-templates-us-east-2");
    let options = DeployOptions {
        template_buckets: TemplateBuckets::none().with(Region::UsEast2, "shop-templates-us-east-2"),
        ..Default::default()
    };
    let mut diffs = Vec::new();
    for (name, fillers) in [("small", 3), ("big", 400)] {
        deploy(
            &local,
            &assembly(name, template(fillers)),
            &options,
            &NullObserver,
        )
        .await
        .into_result()
        .unwrap();
        let next = assembly(name, changed(template(fillers), "Topic002"));
        let d = dr_deploy::diff(&local, &next, &DeployOptions::default())
            .await
            .unwrap();
        diffs.push(d.into_iter().next().unwrap());
    }
    let (small, big) = (&diffs[0], &diffs[1]);
    assert!(
        !small.to_string().contains("computed from the templates"),
        "{small}"
    );
    assert!(
        big.to_string().contains("computed from the templates"),
        "{big}"
    );
    for id in ["Vpc", "Logs", "Alerts", "Topic002"] {
        assert_eq!(change(small, id), change(big, id), "{small}\n{big}");
    }
    // The simulator's change set lists every property of a resource that reads a value known
    // only at deploy time (its `GroupDescription` too); the comparison names the property that
    // reads it, as CloudFormation's details do. The rest is the same.
    let (
        ChangeKind::Modified {
            replacement: r_small,
            properties: p_small,
        },
        ChangeKind::Modified {
            replacement: r_big,
            properties: p_big,
        },
    ) = (&change(small, "Sg").kind, &change(big, "Sg").kind)
    else {
        panic!("Sg not modified in both:\n{small}\n{big}");
    };
    assert_eq!(r_small, r_big);
    assert_eq!(p_big.len(), 1, "{big}");
    assert!(p_small.contains(&p_big[0]), "{small}\n{big}");
    assert_eq!(small.changes.len(), 5, "{small}");
    assert_eq!(big.changes.len(), 5, "{big}");
}
