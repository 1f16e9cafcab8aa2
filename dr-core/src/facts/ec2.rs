//! EC2 instance types drkit accepts for fleets and EKS node groups.
//!
//! Source: "Amazon EC2 instance types" and its per-family specification pages
//! (<https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html>,
//! <https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html>,
//! <https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html>,
//! <https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html>): the families and sizes below
//! are the current-generation general-purpose, compute- and memory-optimized ones, plus t2
//! (previous generation, still sold). Graviton families (a `g` after the generation digit)
//! are arm64; the others are x86_64. Cross-checked against the per-Region instance-type enum
//! that cfn-lint 1.58 ships (`aws_ec2_instance/instancetype_enum.json`).

/// CPU architecture of an instance type; decides which AMI (and EKS AMI type) boots on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// Intel and AMD.
    X86_64,
    /// AWS Graviton.
    Arm64,
}

const T_SIZES: &[&str] = &[
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge",
];
const M5_SIZES: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "metal",
];
const C5_SIZES: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge", "metal",
];
const GEN6I_SIZES: &[&str] = &[
    "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
    "32xlarge", "metal",
];
const GRAVITON_SIZES: &[&str] = &[
    "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal",
];
const GEN7I_SIZES: &[&str] = &[
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
    "48xlarge",
    "metal-24xl",
    "metal-48xl",
];

/// Family name, architecture, burstable, sizes.
const FAMILIES: &[(&str, Arch, bool, &[&str])] = &[
    ("t2", Arch::X86_64, true, T_SIZES),
    ("t3", Arch::X86_64, true, T_SIZES),
    ("t3a", Arch::X86_64, true, T_SIZES),
    ("t4g", Arch::Arm64, true, T_SIZES),
    ("m5", Arch::X86_64, false, M5_SIZES),
    ("m6i", Arch::X86_64, false, GEN6I_SIZES),
    ("m6g", Arch::Arm64, false, GRAVITON_SIZES),
    ("m7i", Arch::X86_64, false, GEN7I_SIZES),
    ("m7g", Arch::Arm64, false, GRAVITON_SIZES),
    ("c5", Arch::X86_64, false, C5_SIZES),
    ("c6i", Arch::X86_64, false, GEN6I_SIZES),
    ("c6g", Arch::Arm64, false, GRAVITON_SIZES),
    ("c7i", Arch::X86_64, false, GEN7I_SIZES),
    ("c7g", Arch::Arm64, false, GRAVITON_SIZES),
    ("r5", Arch::X86_64, false, M5_SIZES),
    ("r6i", Arch::X86_64, false, GEN6I_SIZES),
    ("r6g", Arch::Arm64, false, GRAVITON_SIZES),
    ("r7i", Arch::X86_64, false, GEN7I_SIZES),
    ("r7g", Arch::Arm64, false, GRAVITON_SIZES),
];

/// What drkit knows about one instance type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceType {
    /// The name, e.g. `t3.micro`.
    pub name: String,
    /// The CPU architecture.
    pub arch: Arch,
    /// Whether it is a burstable (T) type.
    pub burstable: bool,
}

/// Every instance type drkit accepts, family by family, sizes in ascending order.
pub fn instance_types() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|(family, _, _, sizes)| sizes.iter().map(move |s| format!("{family}.{s}")))
        .collect()
}

/// The facts of `name`, or `None` when drkit does not know it.
pub fn instance_type(name: &str) -> Option<InstanceType> {
    let (family, size) = name.split_once('.')?;
    FAMILIES
        .iter()
        .find(|(f, _, _, sizes)| *f == family && sizes.contains(&size))
        .map(|(_, arch, burstable, _)| InstanceType {
            name: name.to_string(),
            arch: *arch,
            burstable: *burstable,
        })
}

/// The known instance type closest to `name`, when it looks like a typo of one.
pub fn suggest_instance_type(name: &str) -> Option<String> {
    let all = instance_types();
    crate::suggest::nearest(name, all.iter().map(String::as_str)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_seed_types_and_their_architecture() {
        assert_eq!(
            instance_type("t3.micro").map(|t| t.arch),
            Some(Arch::X86_64)
        );
        assert_eq!(instance_type("t3.medium").map(|t| t.burstable), Some(true));
        assert_eq!(
            instance_type("m7g.large").map(|t| t.arch),
            Some(Arch::Arm64)
        );
        assert_eq!(instance_type("t3.meduim"), None);
        assert_eq!(instance_type("m5.medium"), None, "m5 starts at large");
    }

    #[test]
    fn suggests_the_nearest_type() {
        assert_eq!(
            suggest_instance_type("t3.meduim").as_deref(),
            Some("t3.medium")
        );
        assert_eq!(
            suggest_instance_type("t3.mirco").as_deref(),
            Some("t3.micro")
        );
        assert_eq!(suggest_instance_type("quantum.huge"), None);
    }
}
