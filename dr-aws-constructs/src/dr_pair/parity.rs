//! The parity check (a DR site can take over only if it is configured like the primary): after
//! both sites are built, their resources are compared by path below the site stack: the
//! same resources of the same types, and the same sizing (instance types, DB classes,
//! capacities, node-group scaling, engine and versions, target ports and health paths).
//! Differences that are exactly a `site.pick(a, b)` pair, or below a construct declared
//! different ([`PARITY_EXEMPT_KEY`](super::PARITY_EXEMPT_KEY)), are not reported.

use dr_core::diagnostics::codes;
use std::collections::BTreeMap;

use dr_core::tree::Tree;
use dr_core::{Diagnostic, Element, NodeId};
use serde_json::Value;

use super::PARITY_EXEMPT_KEY;

/// Sizing properties compared per resource type (JSON pointers into `Properties`).
const SIZING: &[(&str, &[&str])] = &[
    (
        "AWS::EC2::LaunchTemplate",
        &["/LaunchTemplateData/InstanceType"],
    ),
    ("AWS::EC2::Instance", &["/InstanceType"]),
    (
        "AWS::AutoScaling::AutoScalingGroup",
        &["/MinSize", "/MaxSize", "/DesiredCapacity"],
    ),
    ("AWS::EKS::Cluster", &["/Version"]),
    (
        "AWS::EKS::Nodegroup",
        &[
            "/InstanceTypes",
            "/AmiType",
            "/CapacityType",
            "/ScalingConfig",
        ],
    ),
    ("AWS::RDS::DBCluster", &["/Engine", "/EngineVersion"]),
    ("AWS::RDS::DBInstance", &["/Engine", "/DBInstanceClass"]),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        &["/Port", "/Protocol", "/HealthCheckPath"],
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        &["/Scheme", "/Type"],
    ),
];

struct Entry {
    path: String,
    type_name: String,
    properties: Value,
    exempt: bool,
}

fn collect(tree: &Tree, stack: NodeId) -> BTreeMap<String, Entry> {
    let depth = tree.path_components(stack).len();
    let mut out = BTreeMap::new();
    for el in tree.elements_of_stack(stack) {
        // As synthesized: a property override that sizes one site differently is a difference.
        let element = tree.synthesized_element(el);
        let Some(Element::Resource(r)) = element.as_deref() else {
            continue;
        };
        let comps = tree.path_components(el);
        let relative = comps[depth..].join("/");
        let mut exempt = false;
        let mut cur = Some(el);
        while let Some(n) = cur {
            if n == stack {
                break;
            }
            if tree
                .node(n)
                .metadata
                .iter()
                .any(|(k, _)| k == PARITY_EXEMPT_KEY)
            {
                exempt = true;
                break;
            }
            cur = tree.node(n).parent;
        }
        out.insert(
            relative,
            Entry {
                path: tree.path(el),
                type_name: r.type_name.clone(),
                properties: r.properties.to_json(),
                exempt,
            },
        );
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether the difference between `a` and `b` is made only of per-site pairs.
fn explained(a: &Value, b: &Value, picks: &[(Value, Value)]) -> bool {
    if a == b {
        return true;
    }
    if let (Some(x), Some(y)) = (scalar(a), scalar(b))
        && picks.iter().any(|(p, q)| {
            scalar(p).as_deref() == Some(x.as_str()) && scalar(q).as_deref() == Some(y.as_str())
        })
    {
        return true;
    }
    if picks.iter().any(|(p, q)| p == a && q == b) {
        return true;
    }
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).all(|(x, y)| explained(x, y, picks))
        }
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x
            .iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| explained(v, w, picks))),
        _ => false,
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "unset".into(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(v) => format!("`{v}`"),
    }
}

/// Compares the two site stacks; one error listing every difference, or nothing.
pub(super) fn check(
    tree: &Tree,
    pair_path: &str,
    primary: NodeId,
    secondary: NodeId,
    picks: &[(Value, Value)],
) -> Vec<Diagnostic> {
    let a = collect(tree, primary);
    let b = collect(tree, secondary);
    let a_root = tree.path(primary);
    let b_root = tree.path(secondary);
    let mut diffs = Vec::new();
    for (rel, ea) in &a {
        match b.get(rel) {
            None if !ea.exempt => diffs.push(format!(
                "`{}` ({}) has no counterpart `{b_root}/{rel}` in the DR site",
                ea.path, ea.type_name
            )),
            None => {}
            Some(eb) if ea.exempt || eb.exempt => {}
            Some(eb) if ea.type_name != eb.type_name => diffs.push(format!(
                "`{}` is {} but `{}` is {}",
                ea.path, ea.type_name, eb.path, eb.type_name
            )),
            Some(eb) => {
                let pointers = SIZING
                    .iter()
                    .find(|(t, _)| *t == ea.type_name)
                    .map(|(_, p)| *p)
                    .unwrap_or(&[]);
                for p in pointers {
                    let (va, vb) = (ea.properties.pointer(p), eb.properties.pointer(p));
                    let same = match (va, vb) {
                        (Some(x), Some(y)) => explained(x, y, picks),
                        (None, None) => true,
                        _ => false,
                    };
                    if !same {
                        diffs.push(format!(
                            "{} {} in `{}` but {} in `{}`",
                            p.trim_start_matches('/').replace('/', "."),
                            show(va),
                            ea.path,
                            show(vb),
                            eb.path
                        ));
                    }
                }
            }
        }
    }
    for (rel, eb) in &b {
        if !a.contains_key(rel) && !eb.exempt {
            diffs.push(format!(
                "`{}` ({}) has no counterpart `{a_root}/{rel}` in the primary site",
                eb.path, eb.type_name
            ));
        }
    }
    if diffs.is_empty() {
        return Vec::new();
    }
    vec![
        Diagnostic::error(
            pair_path,
            codes::PAIR_001,
            format!(
                "the two sites are not configured the same ({} difference{}):\n  - {}",
                diffs.len(),
                if diffs.len() == 1 { "" } else { "s" },
                diffs.join("\n  - ")
            ),
        )
        .with_hint(
            "build both sites alike; give values that must differ per Region with site.pick(primary, secondary), or declare an intended difference with site.allow_difference(&construct_scope, \"reason\")",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pick_pairs_explain_differences_inside_lists_and_across_number_forms() {
        let picks = vec![(json!("t3.micro"), json!("t3.small")), (json!(3), json!(4))];
        // Auto Scaling sizes are strings in the template; the pick was made with numbers.
        assert!(explained(&json!("3"), &json!("4"), &picks));
        assert!(explained(
            &json!(["t3.micro"]),
            &json!(["t3.small"]),
            &picks
        ));
        assert!(explained(
            &json!({"MinSize": 3, "MaxSize": 3}),
            &json!({"MinSize": 4, "MaxSize": 3}),
            &picks
        ));
        // The reverse pair, or an unrelated value, is a real difference.
        assert!(!explained(&json!("t3.small"), &json!("t3.micro"), &picks));
        assert!(!explained(
            &json!(["t3.micro"]),
            &json!(["t3.large"]),
            &picks
        ));
        assert!(!explained(
            &json!(["t3.micro"]),
            &json!(["t3.small", "t3.small"]),
            &picks
        ));
    }
}
