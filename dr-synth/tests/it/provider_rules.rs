//! Synthesis reports what a resource provider would refuse (`dr_core::provider_rules`) on the
//! construct that wrote it, before anything is deployed.

use dr_core::{App, Expr, Region, Stack, StackProps};
use dr_synth::synth;
use serde_json::json;

/// A group of at most `max` instances whose rolling update keeps `in_service` in service.
fn fleet(max: Expr, in_service: serde_json::Value) -> App {
    let app = App::new("t");
    let s = Stack::new(&app, "Fleet", StackProps::in_region(Region::UsEast2));
    s.child("Asg")
        .add_resource(
            "Resource",
            "AWS::AutoScaling::AutoScalingGroup",
            Expr::map([
                ("MinSize", Expr::from("2")),
                ("MaxSize", max),
                (
                    "AvailabilityZones",
                    Expr::from(vec![Expr::from("us-east-2a")]),
                ),
            ]),
        )
        .set_update_policy(json!({"AutoScalingRollingUpdate": {
            "MinInstancesInService": in_service, "PauseTime": "PT5M"}}));
    app
}

/// CloudFormation fails the update of a group whose rolling update keeps `MaxSize` instances
/// in service ("UpdatePolicy attribute"); with both values literal, synthesis says so at the
/// group, with AWS's message.
#[test]
fn a_rolling_update_keeping_max_size_in_service_is_an_error_at_the_group() {
    let err = synth(&fleet(Expr::from("2"), json!(2))).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1, "{err}");
    assert_eq!(e[0].code, "DRK-CAP-005");
    assert_eq!(e[0].path, "Fleet/Asg/Resource");
    assert!(
        e[0].message.starts_with(
            "CloudFormation would fail to update AWS::AutoScaling::AutoScalingGroup `"
        ) && e[0].message.ends_with(
            "`: \"MinInstancesInService must be less than the autoscaling group's MaxSize\""
        ),
        "{}",
        e[0].message
    );
    assert!(synth(&fleet(Expr::from("3"), json!(2))).is_ok());
    assert!(
        synth(&fleet(Expr::from(3), json!("3"))).is_err(),
        "numbers and numeric strings alike"
    );
}

/// An internet-facing load balancer that does not depend on its VPC's gateway attachment
/// races it on AWS; synthesis refuses the template.
#[test]
fn a_load_balancer_not_waiting_for_the_internet_gateway_is_an_error() {
    let build = |wait: bool| {
        let app = App::new("t");
        let s = Stack::new(&app, "Net", StackProps::in_region(Region::UsEast2));
        let vpc = s.child("Vpc").add_resource(
            "Resource",
            "AWS::EC2::VPC",
            Expr::map([("CidrBlock", "10.0.0.0/16")]),
        );
        let igw = s.child("Igw").add_resource(
            "Resource",
            "AWS::EC2::InternetGateway",
            Expr::map::<&str, Expr>([]),
        );
        let attach = s.child("Attach").add_resource(
            "Resource",
            "AWS::EC2::VPCGatewayAttachment",
            Expr::map([
                ("VpcId", Expr::from(vpc.ref_())),
                ("InternetGatewayId", Expr::from(igw.ref_())),
            ]),
        );
        let subnet = s.child("Subnet").add_resource(
            "Resource",
            "AWS::EC2::Subnet",
            Expr::map([
                ("VpcId", Expr::from(vpc.ref_())),
                ("CidrBlock", Expr::from("10.0.0.0/24")),
            ]),
        );
        let lb = s.child("Lb").add_resource(
            "Resource",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            Expr::map([("Subnets", Expr::from(vec![Expr::from(subnet.ref_())]))]),
        );
        if wait {
            lb.add_depends_on(&attach);
        }
        app
    };
    let err = synth(&build(false)).unwrap_err();
    let e: Vec<_> = err.errors().collect();
    assert_eq!(e.len(), 1, "{err}");
    assert_eq!(e[0].code, "DRK-ALB-010");
    assert_eq!(e[0].path, "Net/Lb/Resource");
    assert!(
        e[0].message.contains("has no internet gateway"),
        "{}",
        e[0].message
    );
    synth(&build(true)).unwrap();
}
