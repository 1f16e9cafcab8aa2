//! Validators shared by the constructs (and by `DrPair`): each reports a diagnostic on the
//! construct's path that says what is wrong and names the fix. None of them panics.
//!
//! The codes they report, with what each means and how to fix it, are in
//! [`dr_core::diagnostics::codes`].

use dr_core::diagnostics::codes;
use dr_core::facts::{ec2, rds};
use dr_core::tree::Tree;
use dr_core::{Diagnostic, Element, Region, Scope};
use ipnet::Ipv4Net;

/// The smallest and largest VPC CIDR blocks AWS allows: /16 to /28 ("VPC CIDR blocks",
/// <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html>). Subnets have the
/// same lower bound of /28.
pub const VPC_MIN_PREFIX: u8 = 16;
/// See [`VPC_MIN_PREFIX`].
pub const VPC_MAX_PREFIX: u8 = 28;

fn region_zones(region: Region) -> String {
    region.az_names().join(", ")
}

/// Checks AZ names given for a stack in `region` (in the prop `prop`): each must be a zone of
/// that Region, listed once, and no more than the Region has usable per account. Returns
/// whether all are fine.
pub fn check_azs(scope: &Scope, prop: &str, region: Region, azs: &[String]) -> bool {
    let mut ok = true;
    for (i, az) in azs.iter().enumerate() {
        if azs[..i].contains(az) {
            scope.prop_error(
                prop,
                codes::AZ_004,
                format!("Availability Zone `{az}` is listed twice"),
                "list each zone once",
            );
            ok = false;
            continue;
        }
        if region.has_az(az) {
            continue;
        }
        ok = false;
        match Region::of_az(az) {
            Some(other) => scope.prop_error(
                prop,
                codes::AZ_001,
                format!("Availability Zone `{az}` is in {other}, not in {region}, where this stack deploys"),
                format!(
                    "use zones of {region} ({}), or put this stack in {other}",
                    region_zones(region)
                ),
            ),
            None => {
                let guess = dr_core::suggest::nearest(az, region.az_names().iter().copied());
                let hint = match guess {
                    Some(g) => format!("did you mean `{g}`? The zones of {region} are {}", region_zones(region)),
                    None => format!("use zones of {region}: {}", region_zones(region)),
                };
                scope.prop_error(prop, codes::AZ_002, format!("`{az}` is not an Availability Zone of {region}"), hint);
            }
        }
    }
    ok & check_az_count(scope, prop, region, azs.len())
}

/// Checks that `count` zones fit in `region` (us-west-1 gives an account only two) and that
/// there are at least two, which an ALB, an EKS cluster and an RDS subnet group each need.
pub fn check_az_count(scope: &Scope, prop: &str, region: Region, count: usize) -> bool {
    let usable = region.usable_az_count();
    if count > usable {
        scope.prop_error(
            prop,
            codes::AZ_003,
            format!("{count} Availability Zones asked for, but {region} has only {usable} usable per account"),
            format!("use at most {usable} zones in {region}"),
        );
        return false;
    }
    if count < 2 {
        report_too_few_azs(scope, prop, region, count);
        return false;
    }
    true
}

/// Reports fewer than two zones at synthesis, naming what in the Region needs two (an ALB,
/// an EKS cluster, an Aurora DB subnet group), since those are built after the VPC; an app
/// without an EKS cluster is not told about EKS.
fn report_too_few_azs(scope: &Scope, prop: &str, region: Region, count: usize) {
    let path = scope.path();
    let prop = prop.to_string();
    scope.add_validation(move |tree| {
        let needs = needs_two_zones(tree, region);
        let given = match count {
            0 => "no Availability Zone given".to_string(),
            n => format!("only {n} Availability Zone given"),
        };
        let message = match needs.as_slice() {
            [] => format!("{given}; a load balancer or a database in this VPC would need subnets in at least 2"),
            [one] => format!("{given}; {one} needs subnets in at least 2"),
            [rest @ .., last] => format!("{given}; {} and {last} each need subnets in at least 2", rest.join(", ")),
        };
        vec![
            Diagnostic::error(&path, codes::AZ_005, message)
                .with_prop(&prop)
                .with_hint("use 2 or more zones (3 by default)"),
        ]
    });
}

/// What in `region`'s stacks needs subnets in two zones, by resource type, in a fixed order.
fn needs_two_zones(tree: &Tree, region: Region) -> Vec<&'static str> {
    const NEEDS: [(&str, &str); 3] = [
        (
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "the load balancer",
        ),
        ("AWS::EKS::Cluster", "the EKS cluster"),
        ("AWS::RDS::DBSubnetGroup", "the Aurora DB subnet group"),
    ];
    let types: std::collections::BTreeSet<String> = tree
        .stacks()
        .into_iter()
        .filter(|s| tree.stack_info(*s).is_some_and(|i| i.region == region))
        .flat_map(|s| tree.elements_of_stack(s))
        .filter_map(|el| match &tree.node(el).element {
            Some(Element::Resource(r)) => Some(r.type_name.clone()),
            _ => None,
        })
        .collect();
    NEEDS
        .iter()
        .filter(|(t, _)| types.contains(*t))
        .map(|(_, what)| *what)
        .collect()
}

/// Metadata key on a stack whose Region a check upstream has already reported as in doubt (a
/// `DrPair` site whose zones are of another Region, or whose Region is the other site's); the
/// value is why. Checks of other props against the stack's Region (an ACM certificate's
/// Region) stay silent under such a stack: the Region may be the slip, and that is reported
/// once, where it was made.
const REGION_IN_DOUBT_KEY: &str = "drkit:region-in-doubt";

/// Marks `stack`'s Region as in doubt, `why` being the error already reported about it.
pub(crate) fn mark_region_in_doubt(stack: &Scope, why: &str) {
    stack.add_metadata(REGION_IN_DOUBT_KEY, serde_json::json!(why));
}

/// Whether `scope` is under a stack marked by [`mark_region_in_doubt`].
pub(crate) fn region_in_doubt(scope: &Scope) -> bool {
    let path = scope.path();
    scope
        .tree()
        .metadata_entries(REGION_IN_DOUBT_KEY)
        .iter()
        .any(|(marked, _)| path == *marked || path.starts_with(&format!("{marked}/")))
}

/// Parses an IPv4 CIDR block given in `prop` (described as `what` in the message), reporting
/// an invalid one or one with host bits set.
pub fn parse_cidr(scope: &Scope, prop: &str, what: &str, cidr: &str) -> Option<Ipv4Net> {
    let net: Ipv4Net = match cidr.parse() {
        Ok(n) => n,
        Err(_) => {
            scope.prop_error(
                prop,
                codes::CIDR_001,
                format!("{what} `{cidr}` is not a valid IPv4 CIDR block"),
                "write it as a.b.c.d/n, e.g. 10.10.0.0/16",
            );
            return None;
        }
    };
    if net.addr() != net.network() {
        scope.prop_error(
            prop,
            codes::CIDR_002,
            format!("{what} `{cidr}` has host bits set"),
            format!("did you mean `{}`?", net.trunc()),
        );
        return None;
    }
    Some(net)
}

/// Whether two CIDR blocks share any address (VPCs that are peered, or that may be, must
/// not).
pub fn cidrs_overlap(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The subnet prefix that fits `subnets` equal subnets in `vpc`, when one does (at most /28).
pub fn subnet_prefix_for(vpc: &Ipv4Net, subnets: usize) -> Option<u8> {
    let prefix = u32::from(vpc.prefix_len()) + bits_for(subnets);
    (prefix <= u32::from(VPC_MAX_PREFIX)).then_some(prefix as u8)
}

/// How many address bits split a block into `n` equal parts (ceil(log2 n)).
fn bits_for(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

/// Checks a VPC CIDR: valid, /16 to /28, and large enough for `subnets` subnets (of
/// `subnet_prefix` when given). Returns the subnet blocks, in order.
pub fn plan_subnets(
    scope: &Scope,
    prop: &str,
    cidr: &str,
    subnets: usize,
    subnet_prefix: Option<u8>,
) -> Option<Vec<Ipv4Net>> {
    let net = parse_cidr(scope, prop, "VPC CIDR", cidr)?;
    if !(VPC_MIN_PREFIX..=VPC_MAX_PREFIX).contains(&net.prefix_len()) {
        scope.prop_error(
            prop,
            codes::CIDR_003,
            format!("VPC CIDR `{net}` is a /{}; a VPC must be between /{VPC_MIN_PREFIX} and /{VPC_MAX_PREFIX}", net.prefix_len()),
            "use a /16 such as 10.10.0.0/16",
        );
        return None;
    }
    let needed = subnet_prefix_for(&net, subnets);
    let prefix = match (subnet_prefix, needed) {
        (Some(p), Some(n)) if p >= n && p <= VPC_MAX_PREFIX => p,
        (None, Some(n)) => n,
        (asked, _) => {
            let each = asked
                .map(|p| format!("/{p} subnets"))
                .unwrap_or_else(|| "subnets".into());
            let min_vpc = u32::from(VPC_MAX_PREFIX).saturating_sub(bits_for(subnets));
            scope.prop_error(
                prop,
                codes::CIDR_004,
                format!("VPC CIDR `{net}` is too small for {subnets} {each} (one public and one private per Availability Zone)"),
                match asked {
                    Some(_) => format!("use a larger VPC CIDR or a longer subnet_prefix (at most /{VPC_MAX_PREFIX}, and {subnets} of them must fit)"),
                    None => format!("use a /{min_vpc} or larger VPC CIDR (subnets are at least /{VPC_MAX_PREFIX}), e.g. a /16"),
                },
            );
            return None;
        }
    };
    net.subnets(prefix)
        .ok()
        .map(|it| it.take(subnets).collect())
}

/// Checks CIDRs allowed into a security group: valid, and not the whole internet (which a
/// database or API endpoint must never be open to). Returns the valid ones.
pub fn check_allowed_cidrs(
    scope: &Scope,
    prop: &str,
    what: &str,
    cidrs: &[String],
) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    for c in cidrs {
        let Some(net) = parse_cidr(scope, prop, what, c) else {
            continue;
        };
        if net.prefix_len() == 0 {
            scope.prop_error(
                prop,
                codes::CIDR_006,
                format!("{what} `{net}` opens this to the whole internet"),
                "list only the networks that need access (a VPC, an office or VPN range)",
            );
            continue;
        }
        out.push(net);
    }
    out
}

/// Checks an EC2 instance type, suggesting the nearest known one for a typo.
pub fn check_instance_type(scope: &Scope, field: &str, name: &str) -> Option<ec2::InstanceType> {
    if let Some(t) = ec2::instance_type(name) {
        return Some(t);
    }
    match ec2::suggest_instance_type(name) {
        Some(s) => scope.prop_error(
            field,
            codes::EC2_001,
            format!("unknown EC2 instance type `{name}`; did you mean `{s}`?"),
            format!("set {field} to `{s}`"),
        ),
        None => scope.prop_error(
            field,
            codes::EC2_001,
            format!("unknown EC2 instance type `{name}`"),
            format!(
                "set {field} to a type listed at https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html, e.g. t3.micro or t3.medium"
            ),
        ),
    }
    None
}

/// Checks that `engine` at `version` accepts the DB instance `class`; an unsupported class is
/// reported with the smallest classes that work.
pub fn check_db_instance_class(
    scope: &Scope,
    prop: &str,
    engine: rds::AuroraEngine,
    version: &str,
    class: &str,
) -> bool {
    let all = rds::all_classes();
    if !all.iter().any(|c| c == class) {
        let guess = dr_core::suggest::nearest(class, all.iter().map(String::as_str));
        let (message, hint) = match guess {
            Some(g) => (format!("unknown DB instance class `{class}`; did you mean `{g}`?"), format!("set instance_class to `{g}`")),
            None => (
                format!("unknown DB instance class `{class}`"),
                "use an Aurora class such as db.r6g.large (see \"Supported DB engines for DB instance classes\" in the Aurora User Guide)".to_string(),
            ),
        };
        scope.prop_error(prop, codes::RDS_002, message, hint);
        return false;
    }
    let Some(major) = rds::major_of(engine, version) else {
        scope.prop_warning(
            prop,
            codes::RDS_003,
            format!("{engine} engine version `{version}` is not in drkit's facts; instance class `{class}` was not checked against it"),
            format!("check the class at https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html, or use {}", engine.default_version()),
        );
        return true;
    };
    if rds::supports(major, class) {
        return true;
    }
    let smallest = rds::smallest_classes(major).join(" or ");
    scope.prop_error(
        prop,
        codes::RDS_001,
        format!("DB instance class `{class}` is not supported by {} (engine version {version})", major.display_name()),
        format!(
            "use {smallest}, the smallest classes {} accepts, or a memory-optimized class such as {} (which an Aurora global database requires)",
            major.display_name(),
            rds::SMALLEST_GLOBAL_CLASS
        ),
    );
    false
}

/// Checks that `class` may serve in an Aurora global database (memory-optimized, never
/// burstable; "Configuration requirements of an Aurora global database",
/// <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html>).
pub fn check_global_db_instance_class(scope: &Scope, prop: &str, class: &str) -> bool {
    let why = match rds::global_database_class(class) {
        Ok(()) => return true,
        Err(rds::GlobalClassProblem::Burstable) => "is burstable",
        Err(rds::GlobalClassProblem::NotMemoryOptimized) => "is not memory-optimized",
    };
    scope.prop_error(
        prop,
        codes::RDS_004,
        format!("DB instance class `{class}` {why}; an Aurora global database accepts only memory-optimized classes"),
        format!("use {} or another db.r5, db.r6g, db.r6i, db.r7g or db.r8g class", rds::SMALLEST_GLOBAL_CLASS),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_prefix_fits_the_count() {
        let n: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        assert_eq!(subnet_prefix_for(&n, 6), Some(19));
        assert_eq!(subnet_prefix_for(&n, 4), Some(18));
        assert_eq!(subnet_prefix_for(&n, 1), Some(16));
        let tiny: Ipv4Net = "10.0.0.0/26".parse().unwrap();
        assert_eq!(subnet_prefix_for(&tiny, 6), None);
    }

    #[test]
    fn overlap_is_symmetric_and_exact() {
        let a: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let b: Ipv4Net = "10.0.128.0/17".parse().unwrap();
        let c: Ipv4Net = "10.1.0.0/16".parse().unwrap();
        assert!(cidrs_overlap(&a, &b));
        assert!(cidrs_overlap(&b, &a));
        assert!(!cidrs_overlap(&a, &c));
    }
}
