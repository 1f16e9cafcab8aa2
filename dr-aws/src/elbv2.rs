//! ELBv2 load balancer attributes: `DescribeLoadBalancerAttributes` and
//! `ModifyLoadBalancerAttributes` ("DescribeLoadBalancerAttributes",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeLoadBalancerAttributes.html>;
//! "ModifyLoadBalancerAttributes",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyLoadBalancerAttributes.html>).

use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;
use dr_core::Region;
use dr_core::cloud::{CloudResult, LoadBalancerAttributes};

use super::Clients;

/// The port's attributes from an answer's list (an entry without a key is dropped: there is
/// nothing to look it up by).
fn attributes(list: &[LoadBalancerAttribute]) -> LoadBalancerAttributes {
    list.iter()
        .filter_map(|a| Some((a.key()?, a.value().unwrap_or_default())))
        .collect()
}

/// `DescribeLoadBalancerAttributes`.
pub(crate) async fn describe_load_balancer_attributes(
    c: &Clients,
    region: Region,
    load_balancer_arn: &str,
) -> CloudResult<LoadBalancerAttributes> {
    let res = format!("load balancer {load_balancer_arn}");
    let call = c.call("DescribeLoadBalancerAttributes", region, &res);
    let out = c
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(load_balancer_arn)
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(attributes(out.attributes()))
}

/// `ModifyLoadBalancerAttributes` with the pairs given.
pub(crate) async fn modify_load_balancer_attributes(
    c: &Clients,
    region: Region,
    load_balancer_arn: &str,
    pairs: Vec<(String, String)>,
) -> CloudResult<LoadBalancerAttributes> {
    let res = format!("load balancer {load_balancer_arn}");
    let call = c.call("ModifyLoadBalancerAttributes", region, &res);
    let list: Vec<LoadBalancerAttribute> = pairs
        .into_iter()
        .map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build())
        .collect();
    let out = c
        .elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(load_balancer_arn)
        .set_attributes(Some(list))
        .send()
        .await
        .map_err(|e| call.map(e))?;
    Ok(attributes(out.attributes()))
}
