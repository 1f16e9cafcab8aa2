//! Slips in `VpcProps`: made in the pair's closure (so in both sites; a `pick` pair slips one
//! site), and, for the zones, in a standalone VPC.
//!
//! Zones named in `azs` cannot slip in the pair's closure alone: one list goes to the VPCs of
//! both Regions, and an AZ name belongs to one Region, so a list is wrong in at least one
//! site whatever the slip (a pair's VPC takes `site.azs()`, rowed as `secondary.azs` in
//! `dr_pair.rs`). [`STANDALONE_ROWS`] slip them in a VPC of one stack.

use dr_aws_constructs::*;
use dr_core::{App, Region};

use super::{Knobs, Row, check_rows, pair_app, stack};

const PRIMARY: &str = "Shop/PrimaryNetwork/Network";

pub const ROWS: &[Row<Knobs>] = &[
    // cidr: one side of the pick, so the slip is the primary's alone.
    Row {
        slip: "a CIDR that is not one",
        apply: |k| k.vpc_cidrs.0 = "10.10.0.0/33".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    Row {
        slip: "a CIDR with host bits set",
        apply: |k| k.vpc_cidrs.0 = "10.10.0.1/16".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    Row {
        slip: "a CIDR larger than /16",
        apply: |k| k.vpc_cidrs.0 = "172.16.0.0/12".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    Row {
        slip: "a CIDR smaller than /28",
        apply: |k| k.vpc_cidrs.0 = "10.10.0.0/29".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    Row {
        slip: "a CIDR too small for six /28 subnets",
        apply: |k| k.vpc_cidrs.0 = "10.10.0.0/26".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    Row {
        slip: "a CIDR that is not even an address",
        apply: |k| k.vpc_cidrs.0 = "ten.ten.0.0/16".into(),
        path: PRIMARY,
        prop: "cidr",
    },
    // az_count: the pair lists the zones, so the count is not used, but it keeps its range
    // (a count in range that differs from the zones is a warning, see below).
    Row {
        slip: "an az_count of 0 beside listed zones",
        apply: |k| k.vpc.az_count = Some(0),
        path: PRIMARY,
        prop: "az_count",
    },
    Row {
        slip: "an az_count of 1 beside listed zones",
        apply: |k| k.vpc.az_count = Some(1),
        path: PRIMARY,
        prop: "az_count",
    },
    // subnet_prefix: out of range, and in range but too short for the VPC.
    Row {
        slip: "a subnet prefix longer than /28",
        apply: |k| k.vpc.subnet_prefix = Some(29),
        path: PRIMARY,
        prop: "subnet_prefix",
    },
    Row {
        slip: "a subnet prefix shorter than /16",
        apply: |k| k.vpc.subnet_prefix = Some(8),
        path: PRIMARY,
        prop: "subnet_prefix",
    },
    Row {
        slip: "a subnet prefix whose six subnets do not fit the /16",
        apply: |k| k.vpc.subnet_prefix = Some(17),
        path: PRIMARY,
        prop: "subnet_prefix",
    },
    Row {
        slip: "a subnet prefix as large as the VPC",
        apply: |k| k.vpc.subnet_prefix = Some(16),
        path: PRIMARY,
        prop: "subnet_prefix",
    },
];

#[test]
fn one_slip_in_each_vpc_prop_is_one_error_at_that_prop() {
    check_rows(pair_app, ROWS);
}

/// Every prop of a standalone VPC in us-east-2, written out.
#[derive(Clone)]
pub struct VpcKnobs {
    pub props: VpcProps,
}

impl Default for VpcKnobs {
    fn default() -> Self {
        VpcKnobs {
            props: VpcProps::builder()
                .cidr("10.10.0.0/16")
                .azs(["us-east-2a", "us-east-2b", "us-east-2c"])
                .nat_gateways(NatGateways::PerAz)
                .subnet_prefix(19)
                .build(),
        }
    }
}

/// A stack in us-east-2 with the VPC built from `k`.
pub fn vpc_app(k: &VpcKnobs) -> App {
    let app = App::new("net");
    let s = stack(&app, "Site", Region::UsEast2);
    Vpc::new(&s, "Network", k.props.clone());
    app
}

const STANDALONE: &str = "Site/Network";

fn azs(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

pub const STANDALONE_ROWS: &[Row<VpcKnobs>] = &[
    Row {
        slip: "a zone of another Region",
        apply: |k| k.props.azs = azs(&["us-west-2a", "us-east-2b", "us-east-2c"]),
        path: STANDALONE,
        prop: "azs",
    },
    Row {
        slip: "a zone that does not exist",
        apply: |k| k.props.azs = azs(&["us-east-2a", "us-east-2b", "us-east-2z"]),
        path: STANDALONE,
        prop: "azs",
    },
    Row {
        slip: "a zone listed twice",
        apply: |k| k.props.azs = azs(&["us-east-2a", "us-east-2b", "us-east-2b"]),
        path: STANDALONE,
        prop: "azs",
    },
    Row {
        slip: "a single zone",
        apply: |k| k.props.azs = azs(&["us-east-2a"]),
        path: STANDALONE,
        prop: "azs",
    },
    Row {
        slip: "an az_count of 1",
        apply: |k| {
            k.props.azs = Vec::new();
            k.props.az_count = Some(1);
        },
        path: STANDALONE,
        prop: "az_count",
    },
    Row {
        slip: "an az_count above the Region's usable zones",
        apply: |k| {
            k.props.azs = Vec::new();
            k.props.az_count = Some(7);
        },
        path: STANDALONE,
        prop: "az_count",
    },
    Row {
        slip: "an az_count above the Region's usable zones beside three listed zones",
        apply: |k| k.props.az_count = Some(4),
        path: STANDALONE,
        prop: "az_count",
    },
    Row {
        slip: "subnets of the prefix do not fit a /20",
        apply: |k| {
            k.props.cidr = "10.10.0.0/20".into();
            k.props.subnet_prefix = Some(20);
        },
        path: STANDALONE,
        prop: "subnet_prefix",
    },
];

#[test]
fn one_slip_in_each_standalone_vpc_prop_is_one_error_at_that_prop() {
    check_rows(vpc_app, STANDALONE_ROWS);
}

/// An `az_count` in range beside zones listed in `azs` is ignored: a warning on `az_count`,
/// not an error, and the VPC spans the zones listed.
#[test]
fn an_az_count_beside_listed_zones_is_ignored_with_a_warning() {
    let mut k = VpcKnobs::default();
    k.props.az_count = Some(2);
    let app = vpc_app(&k);
    assert!(super::errors(&app).is_empty());
    let d = app.tree().diagnostics().0;
    let [w] = d.as_slice() else {
        panic!("one warning expected: {d:#?}");
    };
    assert_eq!(w.code, "DRK-AZ-006");
    assert_eq!(w.prop.as_deref(), Some("az_count"));
    assert_eq!(
        w.message,
        "az_count is 2, but azs lists 3 zones; az_count applies only when azs is empty, so it is ignored"
    );
}
