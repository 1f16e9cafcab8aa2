//! The parity check (a DR site can take over only if it is configured like the primary): after
//! both sites are built, their resources are compared by path below each of the site's
//! stacks (its network stack and its site stack): the
//! same resources of the same types, and the same sizing (instance types, DB classes,
//! capacities, node-group scaling, engine and versions, target ports and health paths).
//! Differences that are exactly a `site.pick(a, b)` pair, or below a construct declared
//! different ([`PARITY_EXEMPT_KEY`](super::PARITY_EXEMPT_KEY)), are not reported.

use dr_core::diagnostics::codes;
use std::collections::{BTreeMap, BTreeSet};

use dr_core::tree::Tree;
use dr_core::{Diagnostic, Element, Expr, NodeId};
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

/// A launch template's AMI id: read to report one id given to both sites, not compared (each
/// Region has AMIs of its own).
const LAUNCH_TEMPLATE_AMI: (&str, &str) =
    ("AWS::EC2::LaunchTemplate", "/LaunchTemplateData/ImageId");

/// The sizing pointers of `type_name` (none for a type without sizing).
fn sizing(type_name: &str) -> &'static [&'static str] {
    SIZING
        .iter()
        .find(|(t, _)| *t == type_name)
        .map_or(&[], |(_, p)| *p)
}

struct Entry {
    path: String,
    type_name: String,
    properties: Value,
    exempt: bool,
}

/// Each resource of `stacks` by (index of its stack in `stacks`, path below that stack).
fn collect(tree: &Tree, stacks: &[NodeId]) -> BTreeMap<(usize, String), Entry> {
    let mut out = BTreeMap::new();
    for (k, stack) in stacks.iter().enumerate() {
        for (relative, entry) in collect_stack(tree, *stack) {
            out.insert((k, relative), entry);
        }
    }
    out
}

fn collect_stack(tree: &Tree, stack: NodeId) -> BTreeMap<String, Entry> {
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
        let ami = (r.type_name == LAUNCH_TEMPLATE_AMI.0).then_some(LAUNCH_TEMPLATE_AMI.1);
        let read = sizing(&r.type_name).iter().copied().chain(ami);
        out.insert(
            relative,
            Entry {
                path: tree.path(el),
                type_name: r.type_name.clone(),
                properties: compared_properties(&r.properties, read),
                exempt,
            },
        );
    }
    out
}

/// The properties the check reads (`pointers`), as JSON at the same pointers; the rest is left
/// out. Turning all of every resource's properties into JSON,
/// user data included, was most of the check's time.
fn compared_properties<'p>(properties: &Expr, pointers: impl Iterator<Item = &'p str>) -> Value {
    let mut out = Value::Object(serde_json::Map::new());
    for pointer in pointers {
        let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        let mut found = Some(properties);
        for segment in &segments {
            found = match found {
                Some(Expr::Map(m)) => m.get(*segment),
                _ => None,
            };
        }
        let Some(found) = found else { continue };
        let mut at = &mut out;
        for segment in &segments {
            let Value::Object(m) = at else { break };
            at = m
                .entry(segment.to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
        }
        *at = found.to_json();
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

/// One `site.pick(primary, secondary)` pair and how many times the closure picked it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pick {
    /// The two values, as JSON.
    pub(super) values: (Value, Value),
    /// Calls made with exactly these values (in one run of the closure).
    pub(super) calls: usize,
}

/// Whether the difference between `a` and `b` is made only of per-site pairs; the indices of
/// the picks that explain it are added to `used`.
fn explained(a: &Value, b: &Value, picks: &[Pick], used: &mut BTreeSet<usize>) -> bool {
    if a == b {
        return true;
    }
    let matching = |i: usize, p: &Pick| -> Option<usize> {
        let (x, y) = &p.values;
        let scalars = match (scalar(a), scalar(b)) {
            (Some(a), Some(b)) => {
                scalar(x).as_deref() == Some(a.as_str()) && scalar(y).as_deref() == Some(b.as_str())
            }
            _ => false,
        };
        (scalars || (x == a && y == b)).then_some(i)
    };
    if let Some(i) = picks.iter().enumerate().find_map(|(i, p)| matching(i, p)) {
        used.insert(i);
        return true;
    }
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).all(|(x, y)| explained(x, y, picks, used))
        }
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x
            .iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| explained(v, w, picks, used))),
        _ => false,
    }
}

/// Whether a group's `MaxSize` is the one `Ec2Fleet` derives from the desired capacity (one
/// above it, headroom for the rolling update): it then follows `DesiredCapacity`, which is
/// compared itself, so a picked desired capacity does not show up again as a second
/// difference in `MaxSize`.
fn derived_max(e: &Entry) -> bool {
    let number = |p: &str| {
        e.properties
            .pointer(p)
            .and_then(scalar)?
            .parse::<u64>()
            .ok()
    };
    matches!((number("/MaxSize"), number("/DesiredCapacity")), (Some(max), Some(desired)) if max == desired + 1)
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "unset".into(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(v) => format!("`{v}`"),
    }
}

/// Reports a literal AMI id given to both sites (AMI ids are regional: see
/// [`codes::EC2_011`]), on the fleet where it was written, as the prop `ami`.
fn same_ami_in_both(
    a: &BTreeMap<(usize, String), Entry>,
    b: &BTreeMap<(usize, String), Entry>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (rel, ea) in a {
        let Some(eb) = b.get(rel) else { continue };
        if ea.type_name != LAUNCH_TEMPLATE_AMI.0 || ea.exempt || eb.exempt {
            continue;
        }
        let id = |e: &Entry| {
            e.properties
                .pointer(LAUNCH_TEMPLATE_AMI.1)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (Some(x), Some(y)) = (id(ea), id(eb)) else {
            continue;
        };
        if x != y {
            continue;
        }
        let construct = |e: &Entry| {
            e.path
                .rsplit_once('/')
                .map_or(e.path.clone(), |(p, _)| p.to_string())
        };
        let mut d = Diagnostic::error(
            construct(ea),
            codes::EC2_011,
            format!("AMI id `{x}` is given to both sites, but AMI ids are regional: it cannot exist in both Regions"),
        )
        .with_prop("ami")
        .with_hint(format!("give each site the id of its own Region, Ami::id(site.pick(\"{x}\", \"ami-…\")), or use Ami::LatestAl2023 or an SSM parameter, resolved in each Region"));
        d.also_at = vec![construct(eb)];
        out.push(d);
    }
    out
}

/// Compares the two sites, stack by stack (`primary[i]` with `secondary[i]`); one error
/// listing every difference, or nothing.
pub(super) fn check(
    tree: &Tree,
    pair_path: &str,
    primary: &[NodeId],
    secondary: &[NodeId],
    picks: &[Pick],
) -> Vec<Diagnostic> {
    let a = collect(tree, primary);
    let b = collect(tree, secondary);
    let a_roots: Vec<String> = primary.iter().map(|s| tree.path(*s)).collect();
    let b_roots: Vec<String> = secondary.iter().map(|s| tree.path(*s)).collect();
    let mut found = same_ami_in_both(&a, &b);
    let mut diffs = Vec::new();
    // Per pick, the constructs (the first id below the site) whose differences it explains,
    // with one place each for the message.
    let mut excused: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for (key, ea) in &a {
        let (k, rel) = key;
        match b.get(key) {
            None if !ea.exempt => diffs.push(format!(
                "`{}` ({}) has no counterpart `{}/{rel}` in the DR site",
                ea.path, ea.type_name, b_roots[*k]
            )),
            None => {}
            Some(eb) if ea.exempt || eb.exempt => {}
            Some(eb) if ea.type_name != eb.type_name => diffs.push(format!(
                "`{}` is {} but `{}` is {}",
                ea.path, ea.type_name, eb.path, eb.type_name
            )),
            Some(eb) => {
                for p in sizing(&ea.type_name) {
                    if *p == "/MaxSize" && derived_max(ea) && derived_max(eb) {
                        continue;
                    }
                    let (va, vb) = (ea.properties.pointer(p), eb.properties.pointer(p));
                    let mut used = BTreeSet::new();
                    let same = match (va, vb) {
                        (Some(x), Some(y)) => explained(x, y, picks, &mut used),
                        (None, None) => true,
                        _ => false,
                    };
                    let construct = format!("{k}/{}", rel.split('/').next().unwrap_or(rel));
                    for i in used {
                        excused
                            .entry(i)
                            .or_default()
                            .entry(construct.clone())
                            .or_insert_with(|| {
                                format!(
                                    "{} of `{}`",
                                    p.trim_start_matches('/').replace('/', "."),
                                    ea.path
                                )
                            });
                    }
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
    for (i, places) in &excused {
        let pick = &picks[*i];
        if places.len() > pick.calls {
            let places: Vec<&String> = places.values().collect();
            diffs.push(format!(
                "site.pick({}, {}) was made {} but the sites differ by it in {} constructs: {}; a pick excuses the one prop its value is given to",
                pick.values.0,
                pick.values.1,
                match pick.calls {
                    1 => "once".to_string(),
                    n => format!("{n} times"),
                },
                places.len(),
                places.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (key, eb) in &b {
        if !a.contains_key(key) && !eb.exempt {
            diffs.push(format!(
                "`{}` ({}) has no counterpart `{}/{}` in the primary site",
                eb.path, eb.type_name, a_roots[key.0], key.1
            ));
        }
    }
    if diffs.is_empty() {
        return found;
    }
    found.push(
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
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pick_pairs_explain_differences_inside_lists_and_across_number_forms() {
        let pick = |a: Value, b: Value| Pick {
            values: (a, b),
            calls: 1,
        };
        let picks = vec![
            pick(json!("t3.micro"), json!("t3.small")),
            pick(json!(3), json!(4)),
        ];
        let used = &mut BTreeSet::new();
        // Auto Scaling sizes are strings in the template; the pick was made with numbers.
        assert!(explained(&json!("3"), &json!("4"), &picks, used));
        assert!(explained(
            &json!(["t3.micro"]),
            &json!(["t3.small"]),
            &picks,
            used
        ));
        assert!(explained(
            &json!({"MinSize": 3, "MaxSize": 3}),
            &json!({"MinSize": 4, "MaxSize": 3}),
            &picks,
            used
        ));
        // The reverse pair, or an unrelated value, is a real difference.
        assert!(!explained(
            &json!("t3.small"),
            &json!("t3.micro"),
            &picks,
            used
        ));
        assert!(!explained(
            &json!(["t3.micro"]),
            &json!(["t3.large"]),
            &picks,
            used
        ));
        assert!(!explained(
            &json!(["t3.micro"]),
            &json!(["t3.small", "t3.small"]),
            &picks,
            used
        ));
        // Each explanation names the pick it used, which ties the pick to the prop.
        assert_eq!(used.iter().copied().collect::<Vec<_>>(), [0, 1]);
    }
}
