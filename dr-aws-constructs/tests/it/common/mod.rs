//! Helpers shared by the construct tests: synthesis, cfn-lint and the security checks.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use dr_core::{App, Diagnostic, Region, Stack, StackProps};
use dr_synth::Assembly;
use serde_json::Value;

/// The Regions every template is linted in (DESIGN.md, Testing).
pub const LINT_REGIONS: &[&str] = &["us-east-2", "us-west-2", "us-east-1", "us-west-1"];

/// A stack named `id` in `region`.
pub fn stack(app: &App, id: &str, region: Region) -> Stack {
    Stack::new(app, id, StackProps::in_region(region))
}

/// Synthesizes, failing the test with every diagnostic on error.
pub fn synth(app: &App) -> Assembly {
    match dr_synth::synth(app) {
        Ok(a) => a,
        Err(d) => panic!("synthesis failed:\n{d}"),
    }
}

/// The diagnostics of an app (synthesis-time validations included).
pub fn diagnostics(app: &App) -> Vec<Diagnostic> {
    app.tree().diagnostics().0
}

/// The one diagnostic with `code`, failing if there is not exactly one.
pub fn only(app: &App, code: &str) -> Diagnostic {
    let all = diagnostics(app);
    let found: Vec<&Diagnostic> = all.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got: {all:#?}");
    found[0].clone()
}

/// The resources of type `ty` in template `t`, with their logical ids.
pub fn resources_of<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

/// The one resource of type `ty` in template `t`, failing if there is not exactly one.
pub fn one<'a>(t: &'a Value, ty: &str) -> &'a Value {
    one_with_id(t, ty).1
}

/// [`one`], with its logical id.
pub fn one_with_id<'a>(t: &'a Value, ty: &str) -> (&'a String, &'a Value) {
    let v = resources_of(t, ty);
    assert_eq!(v.len(), 1, "one {ty} expected");
    v[0]
}

/// The template of stack `name`.
pub fn template<'a>(assembly: &'a Assembly, name: &str) -> &'a Value {
    &assembly
        .stack(name)
        .unwrap_or_else(|| panic!("no stack {name}"))
        .template
}

/// Writes the assembly to a temporary directory and runs cfn-lint over every template in
/// the four Regions; any finding fails the test.
pub fn lint(assembly: &Assembly) {
    let dir = tempfile::tempdir().expect("temp dir");
    assembly.write(dir.path()).expect("write assembly");
    let paths: Vec<PathBuf> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(s.template_file()))
        .collect();
    dr_testkit::assert_cfn_lint_clean(&paths, LINT_REGIONS);
}

fn resources(t: &Value) -> Vec<(&String, &Value)> {
    t.get("Resources")
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

/// The logical id a `{"Ref": x}` or `{"Fn::GetAtt": [x, …]}` points at.
fn target(v: &Value) -> Option<&str> {
    v.get("Ref")
        .and_then(Value::as_str)
        .or_else(|| v.pointer("/Fn::GetAtt/0").and_then(Value::as_str))
}

fn targets(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(target).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Subnets whose route table sends 0.0.0.0/0 to an internet gateway.
pub fn public_subnets(t: &Value) -> HashSet<String> {
    let igws: HashSet<&String> = of_type(t, "AWS::EC2::InternetGateway")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let public_tables: HashSet<&str> = of_type(t, "AWS::EC2::Route")
        .into_iter()
        .filter(|(_, r)| {
            r.pointer("/Properties/GatewayId")
                .and_then(target)
                .is_some_and(|g| igws.iter().any(|i| *i == g))
        })
        .filter_map(|(_, r)| r.pointer("/Properties/RouteTableId").and_then(target))
        .collect();
    of_type(t, "AWS::EC2::SubnetRouteTableAssociation")
        .into_iter()
        .filter(|(_, a)| {
            a.pointer("/Properties/RouteTableId")
                .and_then(target)
                .is_some_and(|r| public_tables.contains(r))
        })
        .filter_map(|(_, a)| {
            a.pointer("/Properties/SubnetId")
                .and_then(target)
                .map(str::to_string)
        })
        .collect()
}

fn open_to_world(rule: &Value) -> bool {
    rule.get("CidrIp").and_then(Value::as_str) == Some("0.0.0.0/0")
        || rule.get("CidrIpv6").and_then(Value::as_str) == Some("::/0")
}

/// The security checks of the acceptance criteria, on one template:
/// - nothing is open to 0.0.0.0/0 but the ALB's listener ports (80/443) on its own group;
/// - the EKS endpoint is never public to 0.0.0.0/0;
/// - instances (ASG), nodes, EKS control plane and databases use private subnets only, and
///   DB instances are not publicly accessible;
/// - no password or secret value: master passwords are dynamic references, secrets are
///   generated (no `SecretString`), no key material.
pub fn assert_secure(t: &Value) {
    let lb_groups: HashSet<String> = of_type(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        .into_iter()
        .flat_map(|(_, r)| targets(&r["Properties"]["SecurityGroups"]))
        .collect();
    for (id, sg) in of_type(t, "AWS::EC2::SecurityGroup") {
        for rule in sg
            .pointer("/Properties/SecurityGroupIngress")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if open_to_world(rule) {
                assert!(
                    lb_groups.contains(id),
                    "{id} is open to the internet but is no load balancer's group"
                );
                let ports = (rule["FromPort"].as_i64(), rule["ToPort"].as_i64());
                assert!(
                    matches!(ports, (Some(80), Some(80)) | (Some(443), Some(443))),
                    "{id} opens {ports:?}"
                );
            }
        }
    }
    for (id, r) in of_type(t, "AWS::EC2::SecurityGroupIngress") {
        assert!(
            !open_to_world(&r["Properties"]),
            "{id} opens a group to the internet"
        );
    }
    for (id, c) in of_type(t, "AWS::EKS::Cluster") {
        let cfg = &c["Properties"]["ResourcesVpcConfig"];
        if cfg["EndpointPublicAccess"] != Value::Bool(false) {
            let cidrs = cfg["PublicAccessCidrs"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                !cidrs.is_empty(),
                "{id}: public endpoint without a CIDR list is open to 0.0.0.0/0"
            );
            assert!(
                !cidrs.iter().any(|c| c == "0.0.0.0/0"),
                "{id}: endpoint open to 0.0.0.0/0"
            );
        }
    }
    let public = public_subnets(t);
    let private_only = |what: &str, id: &str, subnets: &Value| {
        let s = targets(subnets);
        assert!(!s.is_empty(), "{what} {id} has no subnets");
        for sub in s {
            assert!(
                !public.contains(&sub),
                "{what} {id} uses public subnet {sub}"
            );
        }
    };
    for (id, r) in of_type(t, "AWS::AutoScaling::AutoScalingGroup") {
        private_only("ASG", id, &r["Properties"]["VPCZoneIdentifier"]);
    }
    for (id, r) in of_type(t, "AWS::EKS::Nodegroup") {
        private_only("node group", id, &r["Properties"]["Subnets"]);
    }
    for (id, r) in of_type(t, "AWS::EKS::Cluster") {
        private_only(
            "EKS cluster",
            id,
            &r["Properties"]["ResourcesVpcConfig"]["SubnetIds"],
        );
    }
    for (id, r) in of_type(t, "AWS::RDS::DBSubnetGroup") {
        private_only("DB subnet group", id, &r["Properties"]["SubnetIds"]);
    }
    for (id, r) in of_type(t, "AWS::RDS::DBInstance") {
        assert_eq!(
            r["Properties"]["PubliclyAccessible"],
            Value::Bool(false),
            "{id} is publicly accessible"
        );
    }
    for (id, r) in of_type(t, "AWS::RDS::DBCluster") {
        if let Some(p) = r["Properties"].get("MasterUserPassword") {
            let s = p
                .pointer("/Fn::Sub/0")
                .and_then(Value::as_str)
                .unwrap_or_default();
            assert!(
                s.starts_with("{{resolve:secretsmanager:"),
                "{id}: MasterUserPassword is not a dynamic reference: {p}"
            );
        }
    }
    for (id, r) in of_type(t, "AWS::SecretsManager::Secret") {
        assert!(
            r["Properties"].get("SecretString").is_none(),
            "{id} carries a secret value"
        );
    }
    for (id, r) in of_type(t, "AWS::EC2::KeyPair") {
        assert!(
            r["Properties"].get("PublicKeyMaterial").is_none(),
            "{id} imports key material"
        );
    }
    // No parameter smuggles a secret in through a default.
    for (id, p) in t
        .get("Parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert!(
            !(p.get("NoEcho") == Some(&Value::Bool(true)) && p.get("Default").is_some()),
            "{id}: secret default"
        );
    }
}

/// The resource types of a template, counted.
pub fn type_counts(t: &Value) -> Vec<(String, usize)> {
    let types: Vec<String> = resources(t)
        .iter()
        .map(|(_, r)| r["Type"].as_str().unwrap_or_default().to_string())
        .collect();
    let set: BTreeSet<&String> = types.iter().collect();
    set.into_iter()
        .map(|ty| (ty.clone(), types.iter().filter(|t| *t == ty).count()))
        .collect()
}
