//! Slips in the props of `ec2_fleet`: each gives exactly one error, on the fleet of the site
//! it was made in (the primary's path for a slip made in both sites), naming the prop.

use dr_aws_constructs::*;

use super::{Knobs, Row, check_rows, pair_app};

const PRIMARY: &str = "Shop/Primary/Grafana";
const SECONDARY: &str = "Shop/Secondary/Grafana";

pub const ROWS: &[Row<Knobs>] = &[
    // instance_type: an unknown type, a typo.
    Row {
        slip: "an instance type with a typo",
        apply: |k| k.fleet_instance_type = "t3.mirco".into(),
        path: PRIMARY,
        prop: "instance_type",
    },
    Row {
        slip: "an instance type that does not exist",
        apply: |k| k.fleet_instance_type = "quantum.huge".into(),
        path: PRIMARY,
        prop: "instance_type",
    },
    // ami: AMI ids (per site) and SSM parameter names.
    Row {
        slip: "an AMI id too short, in the primary only",
        apply: |k| k.fleet_ami = (Ami::id("ami-123"), Ami::id("ami-0abcdef1234567890")),
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "one AMI id given to both sites (AMI ids are regional)",
        apply: |k| {
            k.fleet_ami = (
                Ami::id("ami-0abcdef1234567890"),
                Ami::id("ami-0abcdef1234567890"),
            )
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an AMI id in uppercase, in the secondary only",
        apply: |k| {
            k.fleet_ami = (
                Ami::id("ami-0abcdef1234567890"),
                Ami::id("ami-0ABCDEF1234567890"),
            )
        },
        path: SECONDARY,
        prop: "ami",
    },
    Row {
        slip: "an AMI id without the ami- prefix, in the primary only",
        apply: |k| {
            k.fleet_ami = (
                Ami::id("0abcdef1234567890"),
                Ami::id("ami-0abcdef1234567891"),
            )
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an SSM parameter name with a space",
        apply: |k| {
            let a = Ami::ssm_parameter("/golden/web ami");
            k.fleet_ami = (a.clone(), a)
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an SSM parameter name with levels but no leading slash",
        apply: |k| {
            let a = Ami::ssm_parameter("golden/web-ami");
            k.fleet_ami = (a.clone(), a)
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an SSM parameter given by its ARN",
        apply: |k| {
            let a =
                Ami::ssm_parameter("arn:aws:ssm:us-east-2:123456789012:parameter/golden/web-ami");
            k.fleet_ami = (a.clone(), a)
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an SSM parameter hierarchy 16 levels deep",
        apply: |k| {
            let a = Ami::ssm_parameter(format!("{}/ami", "/l".repeat(15)));
            k.fleet_ami = (a.clone(), a)
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an SSM parameter name longer than 1011 characters with its ARN",
        apply: |k| {
            let a = Ami::ssm_parameter(format!("/{}", "a".repeat(1000)));
            k.fleet_ami = (a.clone(), a)
        },
        path: PRIMARY,
        prop: "ami",
    },
    Row {
        slip: "an empty SSM parameter name",
        apply: |k| k.fleet_ami = (Ami::ssm_parameter(""), Ami::ssm_parameter("")),
        path: PRIMARY,
        prop: "ami",
    },
    // key_pair: EC2 key names are 1 to 255 ASCII characters.
    Row {
        slip: "an empty key pair name",
        apply: |k| k.fleet_key_pair = KeyPair::import(""),
        path: PRIMARY,
        prop: "key_pair",
    },
    Row {
        slip: "a key pair name longer than 255 characters",
        apply: |k| k.fleet_key_pair = KeyPair::import("k".repeat(256)),
        path: PRIMARY,
        prop: "key_pair",
    },
    Row {
        slip: "a key pair name that is not ASCII",
        apply: |k| k.fleet_key_pair = KeyPair::import("clé-de-déploiement"),
        path: PRIMARY,
        prop: "key_pair",
    },
    // instance_role: an existing profile's ARN, the managed policy names of a new role.
    Row {
        slip: "an instance profile given by name, not ARN",
        apply: |k| k.fleet_instance_role = InstanceRole::existing_profile("WebServers"),
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "a role's ARN given for the instance profile",
        apply: |k| {
            k.fleet_instance_role =
                InstanceRole::existing_profile("arn:aws:iam::123456789012:role/WebServers")
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "an instance profile ARN with a Region",
        apply: |k| {
            k.fleet_instance_role = InstanceRole::existing_profile(
                "arn:aws:iam:us-east-2:123456789012:instance-profile/WebServers",
            )
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "an instance profile ARN with an 11-digit account",
        apply: |k| {
            k.fleet_instance_role = InstanceRole::existing_profile(
                "arn:aws:iam::12345678901:instance-profile/WebServers",
            )
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "an instance profile name with a space",
        apply: |k| {
            k.fleet_instance_role = InstanceRole::existing_profile(
                "arn:aws:iam::123456789012:instance-profile/Web Servers",
            )
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "a managed policy given by ARN",
        apply: |k| {
            k.fleet_instance_role =
                InstanceRole::create(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "a managed policy name with a space",
        apply: |k| {
            k.fleet_instance_role = InstanceRole::create(["Amazon SSM Managed Instance Core"])
        },
        path: PRIMARY,
        prop: "instance_role",
    },
    Row {
        slip: "a managed policy name longer than 128 characters",
        apply: |k| k.fleet_instance_role = InstanceRole::create(["P".repeat(129)]),
        path: PRIMARY,
        prop: "instance_role",
    },
    // user_data: 16 KB before base64.
    Row {
        slip: "user data over 16 KB",
        apply: |k| k.fleet_user_data = Some(format!("#!/bin/bash\n{}", "#".repeat(16 * 1024))),
        path: PRIMARY,
        prop: "user_data",
    },
    // app_port: 1 to 65535.
    Row {
        slip: "app port 0",
        apply: |k| k.fleet_app_port = 0,
        path: PRIMARY,
        prop: "app_port",
    },
    // Sizes: each slip names the size that conflicts with the other two.
    Row {
        slip: "a minimum above the maximum and the desired capacity",
        apply: |k| k.fleet_min_size = Some(5),
        path: PRIMARY,
        prop: "min_size",
    },
    Row {
        slip: "a desired capacity above the maximum",
        apply: |k| k.fleet_desired_capacity = Some(5),
        path: PRIMARY,
        prop: "desired_capacity",
    },
    Row {
        slip: "a desired capacity below the minimum",
        apply: |k| k.fleet_desired_capacity = Some(2),
        path: PRIMARY,
        prop: "desired_capacity",
    },
    Row {
        slip: "a maximum below the minimum and the desired capacity",
        apply: |k| k.fleet_max_size = Some(2),
        path: PRIMARY,
        prop: "max_size",
    },
    // root_volume_gib: 8 to 16,384.
    Row {
        slip: "a root volume smaller than the AMI",
        apply: |k| k.fleet_root_volume_gib = 7,
        path: PRIMARY,
        prop: "root_volume_gib",
    },
    Row {
        slip: "a root volume larger than gp3 holds",
        apply: |k| k.fleet_root_volume_gib = 16_385,
        path: PRIMARY,
        prop: "root_volume_gib",
    },
    // health_check_grace_period_secs: an Integer of the Auto Scaling API.
    Row {
        slip: "a grace period beyond the API's integer",
        apply: |k| k.fleet_health_check_grace_period_secs = u32::MAX,
        path: PRIMARY,
        prop: "health_check_grace_period_secs",
    },
];

#[test]
fn one_slip_in_each_ec2_fleet_prop_is_one_error_at_that_prop() {
    check_rows(pair_app, ROWS);
}
