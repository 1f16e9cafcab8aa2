//! `EksCluster`'s envelope encryption of Kubernetes secrets: a key of the cluster's own by
//! default, a key of yours, or EKS's AWS owned key; a key of another Region refused.

use crate::common;

use common::{lint, one, one_with_id, only, resources_of, stack, synth, template};
use dr_aws_constructs::*;
use dr_core::resource_facts;
use dr_core::{App, Region};
use serde_json::{Value, json};

fn cluster_app(encryption: Option<SecretsEncryption>) -> App {
    let app = App::new("t");
    let s = stack(&app, "K8s", Region::UsEast2);
    let vpc = Vpc::new(&s, "Network", VpcProps::builder().build());
    let props = EksClusterProps::builder()
        .vpc(&vpc)
        .maybe_secrets_encryption(encryption)
        .build();
    EksCluster::new(&s, "Eks", props);
    app
}

fn cluster(t: &Value) -> &Value {
    &one(t, "AWS::EKS::Cluster")["Properties"]
}

#[test]
fn by_default_the_cluster_encrypts_with_a_rotated_key_of_its_own() {
    let app = cluster_app(None);
    let a = synth(&app);
    let t = template(&a, "K8s");
    let (key_id, key) = one_with_id(t, "AWS::KMS::Key");
    let p = &key["Properties"];
    assert_eq!(p["EnableKeyRotation"], true);
    assert_eq!(p["PendingWindowInDays"], 30);
    let statements = p["KeyPolicy"]["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0]["Principal"]["AWS"]["Fn::Sub"],
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
    );
    assert_eq!(
        cluster(t)["EncryptionConfig"],
        json!([{
            "Provider": { "KeyArn": { "Fn::GetAtt": [key_id, "Arn"] } },
            "Resources": ["secrets"]
        }])
    );
    // EKS uses the key through the grant CreateCluster makes: the cluster role keeps only
    // AmazonEKSClusterPolicy, no KMS statement of its own.
    let roles = resources_of(t, "AWS::IAM::Role");
    let cluster_role = roles
        .iter()
        .find(|(_, r)| {
            r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
                == "eks.amazonaws.com"
        })
        .unwrap()
        .1;
    assert!(cluster_role["Properties"].get("Policies").is_none());
    lint(&a);
}

#[test]
fn a_key_of_yours_is_used_as_given_and_none_is_created() {
    let arn = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let app = cluster_app(Some(SecretsEncryption::Key(arn.into())));
    let a = synth(&app);
    let t = template(&a, "K8s");
    assert!(resources_of(t, "AWS::KMS::Key").is_empty());
    assert_eq!(cluster(t)["EncryptionConfig"][0]["Provider"]["KeyArn"], arn);
    for alias in ["alias/eks-secrets", "1234abcd-12ab-34cd-56ef-1234567890ab"] {
        let app = cluster_app(Some(SecretsEncryption::Key(alias.into())));
        synth(&app);
    }
}

#[test]
fn the_aws_owned_key_writes_no_encryption_config() {
    let app = cluster_app(Some(SecretsEncryption::AwsOwnedKey));
    let a = synth(&app);
    let t = template(&a, "K8s");
    assert!(resources_of(t, "AWS::KMS::Key").is_empty());
    assert!(cluster(t).get("EncryptionConfig").is_none());
}

#[test]
fn a_key_of_another_region_is_refused_at_the_prop() {
    let app = cluster_app(Some(SecretsEncryption::Key(
        "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".into(),
    )));
    let d = only(&app, "DRK-EKS-015");
    assert_eq!(d.path, "K8s/Eks");
    assert_eq!(d.prop.as_deref(), Some("secrets_encryption"));
    assert!(
        d.message.contains("us-west-2") && d.message.contains("us-east-2"),
        "{}",
        d.message
    );
    assert!(dr_synth::synth(&app).is_err());
}

/// Why the docs say a change of key replaces the cluster: the schema marks it create-only.
#[test]
fn the_encryption_config_is_create_only() {
    let facts = resource_facts::resource_type("AWS::EKS::Cluster").unwrap();
    assert!(facts.is_create_only("EncryptionConfig"));
}
