//! The local simulator's template evaluator: parameters, conditions and intrinsic functions.

use dr_core::Region;
use dr_local::eval::{
    EvalError, Evaluator, ResolvedParameter, Resolver, StackContext, Template, resolve_parameters,
};
use indexmap::IndexMap;
use serde_json::{Value, json};

struct World;
impl Resolver for World {
    fn resource_ref(&self, l: &str) -> Option<Value> {
        (l == "Vpc").then(|| json!("vpc-0123456789abcdef0"))
    }
    fn resource_attribute(&self, l: &str, a: &str) -> Result<Value, EvalError> {
        match (l, a) {
            ("Vpc", "CidrBlock") => Ok(json!("10.10.0.0/16")),
            _ => Err(EvalError::Resource(format!(
                "Template error: resource {l} does not support attribute type {a} in Fn::GetAtt"
            ))),
        }
    }
    fn import_value(&self, name: &str) -> Option<String> {
        (name == "shop-vpc-id").then(|| "vpc-imported".to_string())
    }
}

fn template() -> Template {
    Template::from_json(json!({
        "Parameters": {
            "Env": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]},
            "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"},
            "Az": {"Type": "AWS::EC2::AvailabilityZone::Name", "Default": "us-east-2b"},
            "Names": {"Type": "CommaDelimitedList", "Default": "a,b,c"}
        },
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": ["x", "x"]}]}]}
        },
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.10.0.0/16"}},
            "Sub": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}}
        }
    }))
    .expect("valid template")
}

fn ctx() -> StackContext {
    StackContext {
        region: Region::UsEast2,
        account: "123456789012".into(),
        stack_name: "shop-net".into(),
        stack_id: "arn:aws:cloudformation:us-east-2:123456789012:stack/shop-net/1".into(),
    }
}

fn params(t: &Template) -> IndexMap<String, ResolvedParameter> {
    resolve_parameters(
        t,
        &[],
        Region::UsEast2,
        &|n| {
            (n == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
                .then(|| "ami-0abc".to_string())
        },
        &|_, _| false,
    )
    .expect("parameters resolve")
}

#[test]
fn intrinsics_evaluate_like_cloudformation() {
    let t = template();
    let p = params(&t);
    let stack = ctx();
    let conditions = Evaluator::evaluate_conditions(&t, &stack, &p).unwrap();
    assert!(conditions["IsProd"]);
    assert!(!conditions["IsDev"]);
    assert!(conditions["Both"]);
    let ev = Evaluator {
        template: &t,
        stack: &stack,
        params: &p,
        conditions: &conditions,
        resolver: &World,
    };
    let cases = [
        (json!({"Ref": "AWS::Region"}), json!("us-east-2")),
        (json!({"Ref": "Ami"}), json!("ami-0abc")),
        (
            json!({"Fn::Sub": "${AWS::StackName}-${Env}-${Vpc}-${Vpc.CidrBlock}-${!Literal}"}),
            json!("shop-net-prod-vpc-0123456789abcdef0-10.10.0.0/16-${Literal}"),
        ),
        (
            json!({"Fn::Sub": ["${A}:${AWS::AccountId}", {"A": {"Ref": "Az"}}]}),
            json!("us-east-2b:123456789012"),
        ),
        (
            json!({"Fn::Join": ["-", [{"Ref": "Env"}, "x", {"Fn::Select": [1, {"Ref": "Names"}]}]]}),
            json!("prod-x-b"),
        ),
        (
            json!({"Fn::Select": [2, {"Fn::GetAZs": ""}]}),
            json!("us-east-2c"),
        ),
        (json!({"Fn::Split": [",", "p,q"]}), json!(["p", "q"])),
        (json!({"Fn::If": ["IsProd", "big", "small"]}), json!("big")),
        (
            json!({"Fn::ImportValue": "shop-vpc-id"}),
            json!("vpc-imported"),
        ),
        (
            json!({"Fn::Base64": "#!/bin/bash"}),
            json!("IyEvYmluL2Jhc2g="),
        ),
        (
            json!({"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 8]}),
            json!(["10.10.0.0/24", "10.10.1.0/24"]),
        ),
        (json!({"Fn::Equals": [{"Ref": "Env"}, "dev"]}), json!(false)),
        // AWS::NoValue removes the property and list item it stands for.
        (
            json!({"A": {"Fn::If": ["IsDev", "x", {"Ref": "AWS::NoValue"}]}, "B": [1, {"Fn::If": ["IsDev", 2, {"Ref": "AWS::NoValue"}]}]}),
            json!({"B": [1]}),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(ev.eval(&input).unwrap(), want, "{input}");
    }
    // CloudFormation's wording for the failures.
    assert_eq!(
        ev.eval(&json!({"Fn::GetAtt": ["Vpc", "Nope"]}))
            .unwrap_err()
            .to_string(),
        "Template error: resource Vpc does not support attribute type Nope in Fn::GetAtt"
    );
    assert_eq!(
        ev.eval(&json!({"Fn::ImportValue": "missing"}))
            .unwrap_err()
            .to_string(),
        "No export named missing found"
    );
    assert_eq!(
        ev.eval(&json!({"Fn::Select": [9, ["a"]]}))
            .unwrap_err()
            .to_string(),
        "Template error: Fn::Select cannot select nonexistent value at index 9"
    );
}

#[test]
fn parameters_are_checked_and_ssm_types_resolved() {
    let t = template();
    let p = params(&t);
    assert_eq!(
        p["Ami"].value,
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    );
    assert_eq!(p["Ami"].resolved_value.as_deref(), Some("ami-0abc"));
    let none = |_: &str| None;
    let e = resolve_parameters(&t, &[], Region::UsEast2, &none, &|_, _| false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Unable to fetch parameters [/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64] from parameter store for this account."
    );
    let ssm = |_: &str| Some("ami-1".to_string());
    let e = resolve_parameters(
        &t,
        &[("Az".into(), "us-west-1a".into())],
        Region::UsEast2,
        &ssm,
        &|_, _| false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Parameter validation failed: parameter value us-west-1a for parameter name Az does not exist."
    );
    let e = resolve_parameters(
        &t,
        &[("Env".into(), "qa".into())],
        Region::UsEast2,
        &ssm,
        &|_, _| false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Parameter 'Env' must be one of AllowedValues"
    );
    let e = resolve_parameters(
        &t,
        &[("Nope".into(), "1".into())],
        Region::UsEast2,
        &ssm,
        &|_, _| false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Parameters: [Nope] do not exist in the template"
    );
    let bare = Template::from_json(json!({"Parameters": {"X": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}})).unwrap();
    assert_eq!(
        resolve_parameters(&bare, &[], Region::UsEast2, &ssm, &|_, _| false)
            .unwrap_err()
            .to_string(),
        "Parameters: [X] must have values"
    );
}

#[test]
fn dependencies_are_ordered_and_cycles_rejected() {
    let t = Template::from_json(json!({"Resources": {
        "C": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${B.Arn}"}}},
        "B": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["A", "Id"]}}},
        "A": {"Type": "T"},
        "D": {"Type": "T", "DependsOn": "C"}
    }}))
    .unwrap();
    let all = t.resources.keys().cloned().collect();
    assert_eq!(t.dependency_order(&all).unwrap(), ["A", "B", "C", "D"]);
    let cyc = Template::from_json(json!({"Resources": {
        "A": {"Type": "T", "Properties": {"X": {"Ref": "B"}}},
        "B": {"Type": "T", "DependsOn": ["A"]}
    }}))
    .unwrap();
    assert_eq!(
        cyc.validate().unwrap_err().to_string(),
        "Template format error: Circular dependency between resources: [A, B]"
    );
    let dangling = Template::from_json(
        json!({"Resources": {"A": {"Type": "T", "Properties": {"X": {"Ref": "Ghost"}}}}}),
    )
    .unwrap();
    assert_eq!(
        dangling.validate().unwrap_err().to_string(),
        "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template"
    );
    assert_eq!(
        Template::parse("{\"Resources\": ").unwrap_err().to_string(),
        "Template format error: JSON not well-formed. (line 1,  column 14)"
    );
}
