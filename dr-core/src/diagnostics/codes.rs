//! Every diagnostic code drkit reports, declared once: the code, a one-line summary and an
//! explanation (what triggers it, why AWS or drkit rejects it, how to fix it), as
//! `rustc --explain` gives for its error codes. `drkit explain CODE` prints the explanation.
//!
//! Codes are stable: a code is never reused for another problem, and a retired code is not
//! given out again (hence the gaps in the numbering).

/// One registered diagnostic code and its documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagnosticCode {
    /// The code, e.g. `DRK-AZ-005`.
    pub code: &'static str,
    /// What the problem is, in one line.
    pub summary: &'static str,
    /// What triggers it, why it is rejected and how to fix it, with the AWS documentation
    /// page (title and URL) when the rule is AWS's.
    pub explanation: &'static str,
}

/// The code registered as `code`, if any (exact match, e.g. `DRK-AZ-005`).
pub fn lookup(code: &str) -> Option<&'static DiagnosticCode> {
    ALL.iter().find(|c| c.code == code)
}

/// Declares each code as a constant (its doc comment is the summary and the explanation) and
/// lists them all in [`ALL`], so the two cannot drift apart.
macro_rules! codes {
    ($($name:ident = $code:literal, $summary:literal, $explanation:literal;)*) => {
        $(
            #[doc = concat!("`", $code, "`: ", $summary)]
            #[doc = ""]
            #[doc = $explanation]
            pub const $name: &str = $code;
        )*

        /// Every registered code, grouped by area, in numbering order.
        pub static ALL: &[DiagnosticCode] = &[
            $(DiagnosticCode { code: $code, summary: $summary, explanation: $explanation },)*
        ];
    };
}

codes! {
    // The construct tree and templates (dr-core).
    TREE_001 = "DRK-TREE-001",
        "two constructs under the same parent have the same id",
        "A construct's id must be unique among its siblings: the path (ids joined by `/`) \
names the construct in diagnostics and gives resources their logical ids, so two siblings \
with one id would be indistinguishable. Give one of them another id.";
    TREE_002 = "DRK-TREE-002",
        "a construct id is empty or contains `/`",
        "Construct ids are joined with `/` into the construct's path, so an id may not be \
empty or contain `/`. Use a plain id such as `Network` or `Database`.";
    TREE_003 = "DRK-TREE-003",
        "a template element (resource, parameter, output, condition) is outside any stack",
        "Every resource, parameter, output and condition belongs to one CloudFormation \
template, and a template is one stack. Create the construct under a `Stack` (or under a \
`DrPair` site, which is a stack).";
    TREE_004 = "DRK-TREE-004",
        "a property override's path cannot be applied to the resource's properties",
        "`CfnResource::add_property_override(path, value)` and \
`add_property_deletion_override(path)` walk the resource's properties by `path`: keys \
separated by `.` (`\\.` for a literal dot), numeric segments indexing lists. Missing \
objects on the way are created, but the path cannot go into a value that is neither an \
object nor a list (a string, a number, an intrinsic function such as `Fn::Sub`), cannot \
index a list with a key that is not a number, and cannot index past a list's end (the \
index equal to the length appends). Check the property's shape in the resource type's \
CloudFormation reference, and fix the path.";
    STACK_001 = "DRK-STACK-001",
        "a stack name is not a valid CloudFormation stack name",
        "CloudFormation stack names are 1 to 128 characters, start with a letter and contain \
only letters, digits and hyphens (\"CreateStack\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html>). \
The name defaults to the stack's construct id; set `stack_name` or change the id.";
    STACK_003 = "DRK-STACK-003",
        "two stacks of the app have the same name",
        "Stack names identify the stacks within an account and Region, and drkit also names \
the template files after them, so they are unique within an app. Set a different \
`stack_name` on one of the stacks.";
    STACK_004 = "DRK-STACK-004",
        "stacks depend on each other in a cycle",
        "A reference from one stack to another makes the consumer deploy after the producer. \
When references (or explicit dependencies) go both ways, no order can deploy them. Move the \
shared resources into their own stack that both use, or drop one of the references.";
    TPL_001 = "DRK-TPL-001",
        "a template has more resources, parameters, outputs or mappings than CloudFormation allows",
        "CloudFormation accepts at most 500 resources, 200 parameters, 200 outputs and 200 \
mappings per template (\"CloudFormation quotas\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>). \
Split the stack, or reference fewer values across stacks.";
    TPL_002 = "DRK-TPL-002",
        "a logical id is not 1 to 255 ASCII letters and digits",
        "CloudFormation logical ids are alphanumeric (A-Za-z0-9) and at most 255 characters \
(\"CloudFormation template Resources syntax\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html>; \
\"CloudFormation quotas\"). drkit derives them from construct paths; a pinned one \
(`override_logical_id`) must follow the same rule. Use a valid id, or shorter construct ids.";
    TPL_003 = "DRK-TPL-003",
        "a template is larger than CloudFormation accepts",
        "A template body is at most 1 MB when passed by S3 URL (\"CloudFormation quotas\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>). \
Split the stack into smaller stacks.";
    TPL_004 = "DRK-TPL-004",
        "a template is too large to pass inline and must go through S3 (warning)",
        "A template body passed inline is at most 51,200 bytes (\"CloudFormation quotas\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>); a \
larger one must be uploaded to an S3 bucket first. Name a bucket for templates when \
deploying (`--template-bucket`), or split the stack.";
    L1_001 = "DRK-L1-001",
        "a resource lacks properties its CloudFormation type requires",
        "Each CloudFormation resource type has required properties, and CloudFormation rejects \
a template that leaves one out. The generated L1 structs know them from the resource \
provider schemas; set the named properties on the props struct.";

    // Synthesis (dr-synth).
    SYNTH_001 = "DRK-SYNTH-001",
        "no logical id can be allocated: every path component is `Default`",
        "Logical ids are made from the construct path below the stack, leaving out \
components named `Default` (as the AWS CDK does). A path of `Default`s only leaves \
nothing. Give the construct an id other than `Default`.";
    SYNTH_002 = "DRK-SYNTH-002",
        "two elements of one stack get the same logical id",
        "Two resources, parameters, outputs or conditions of one template would share a \
logical id, usually because one was pinned with `override_logical_id` to an id already \
used. Rename one of the constructs or pin another id.";
    TOKEN_001 = "DRK-TOKEN-001",
        "a reference to a construct of another App is used",
        "A reference (token) resolves only within the App that created it: templates of one \
App cannot refer to resources of another. Build both constructs in the same App.";
    TOKEN_002 = "DRK-TOKEN-002",
        "a reference to an element outside any stack is used",
        "The referenced element is not in a stack, so it has no template and no logical id to \
refer to. Create it under a stack (this comes with `DRK-TREE-003` on the element itself).";
    TOKEN_003 = "DRK-TOKEN-003",
        "a deploy-time lookup takes its input from the consuming stack itself",
        "A deploy-time lookup (such as the Aurora global writer endpoint, which \
CloudFormation cannot give) is read by the deployer after the producer stack is deployed \
and passed to the consumer as a parameter, so the two must be different stacks. Create \
the consumer in a later stack.";

    // Availability Zones.
    AZ_001 = "DRK-AZ-001",
        "an Availability Zone of another Region is given",
        "Every zone belongs to one Region (`us-west-1a` to us-west-1), and a stack deploys \
its subnets to its own Region's zones only (\"AWS Availability Zones\", \
<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>). \
Use zones of the stack's Region, or deploy the site to the zones' Region.";
    AZ_002 = "DRK-AZ-002",
        "an Availability Zone name is not a zone of the stack's Region",
        "The name is not one of the Region's zones (often a typo). The diagnostic lists the \
Region's zones and the nearest name (\"AWS Availability Zones\", \
<https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>).";
    AZ_003 = "DRK-AZ-003",
        "more Availability Zones are asked for than the Region offers an account",
        "Some Regions have fewer usable zones per account than they have zones (us-west-1 \
gives an account two). Ask for at most the number the diagnostic names.";
    AZ_004 = "DRK-AZ-004",
        "an Availability Zone is listed twice",
        "Each zone gets one public and one private subnet; a zone listed twice would get two \
overlapping subnet pairs and no extra resilience. List each zone once.";
    AZ_005 = "DRK-AZ-005",
        "fewer than 2 Availability Zones are given",
        "An Application Load Balancer (\"Application Load Balancers\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html>), \
an EKS cluster (\"View Amazon EKS networking requirements for VPC and subnets\", \
<https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html>) and an Aurora DB \
subnet group (\"Working with a DB cluster in a VPC\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html>) \
each need subnets in at least two zones, and one zone is a single point of failure. The \
message names those of them the app has. Use 2 or more zones (3 by default).";
    AZ_006 = "DRK-AZ-006",
        "az_count differs from the zones listed in azs, and is ignored (warning)",
        "`az_count` says how many zones a VPC uses when `azs` is empty; with zones listed, \
the VPC uses exactly those, and an `az_count` of another number is ignored. Remove \
`az_count`, or list that many zones in `azs`.";

    // CIDR blocks.
    CIDR_001 = "DRK-CIDR-001",
        "a CIDR block is not a valid IPv4 CIDR block",
        "CIDR blocks are written `a.b.c.d/n`, e.g. `10.10.0.0/16`.";
    CIDR_002 = "DRK-CIDR-002",
        "a CIDR block has host bits set",
        "The address of a CIDR block must be the network's first address: `10.0.0.1/16` is \
not a network, `10.0.0.0/16` is. AWS rejects a block with host bits set. Use the address \
the diagnostic suggests.";
    CIDR_003 = "DRK-CIDR-003",
        "a VPC CIDR block is larger than /16 or smaller than /28",
        "A VPC's IPv4 CIDR block is between /16 and /28 (\"VPC CIDR blocks\", \
<https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html>). Use a /16 such as \
`10.10.0.0/16`.";
    CIDR_004 = "DRK-CIDR-004",
        "a VPC CIDR block is too small for its subnets",
        "A VPC gets one public and one private subnet per Availability Zone, each at least a \
/28 (\"VPC CIDR blocks\", \
<https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html>). Use a larger VPC \
block, fewer zones, or (with `subnet_prefix`) smaller subnets that still fit.";
    CIDR_005 = "DRK-CIDR-005",
        "the CIDR blocks of two VPCs that are peered overlap",
        "AWS cannot peer VPCs whose IPv4 CIDR blocks overlap: the peering connection fails \
at once (\"Create a VPC peering connection\", \
<https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html>), and \
routes between them would be ambiguous anyway. The diagnostic is reported on both VPCs; \
set `cidr` on one of them to a range of its own, e.g. `10.10.0.0/16` and `10.20.0.0/16`.";
    CIDR_006 = "DRK-CIDR-006",
        "a security group would admit the whole internet (`/0`)",
        "A CIDR of `0.0.0.0/0` in the networks allowed into a database or cluster endpoint \
opens it to every address on the internet; drkit refuses that by default. List only the \
networks that need access (a VPC, an office or VPN range).";
    CIDR_007 = "DRK-CIDR-007",
        "a subnet prefix is outside /16 to /28",
        "An IPv4 subnet is between a /28 netmask (16 addresses) and a /16 netmask (65,536 \
addresses) (\"CreateSubnet\", Amazon EC2 API Reference, \
<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html>). Set \
`subnet_prefix` between 16 and 28, or leave it unset for the largest subnets that fit.";
    CIDR_008 = "DRK-CIDR-008",
        "the subnets of the given prefix do not fit in the VPC CIDR block",
        "A VPC gets one public and one private subnet per Availability Zone, all of \
`subnet_prefix`, inside the VPC's CIDR block (\"CreateSubnet\", Amazon EC2 API Reference, \
<https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html>: a subnet's \
block is the VPC's block or a subset of it, and subnets do not overlap). The diagnostic \
names the longest prefix that fits; use it or a longer one, or a larger VPC block.";

    // Compute.
    EC2_001 = "DRK-EC2-001",
        "an EC2 instance type is unknown",
        "The type is not one drkit knows (often a typo, such as `t3.meduim`); the \
diagnostic suggests the nearest known type. Types are listed in \"Amazon EC2 instance \
types\" (<https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html>).";
    EC2_002 = "DRK-EC2-002",
        "the root volume size is outside 8 to 16,384 GiB",
        "The Amazon Linux 2023 AMI needs a root volume of at least 8 GiB, and a gp3 volume \
holds at most 16,384 GiB (\"Amazon EBS volume types\", \
<https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html>). Set \
`root_volume_gib` within that range.";
    EC2_003 = "DRK-EC2-003",
        "an AMI id is not of the form `ami-` and 8 or 17 lowercase letters and digits",
        "EC2 resource ids are the resource type's prefix, a hyphen and 8 (older) or 17 \
lowercase letters and digits, e.g. `ami-0abcdef1234567890` (\"Resource IDs\", Amazon EC2 \
User Guide, <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html>). AMI \
ids are regional: copy the id from the EC2 console or `aws ec2 describe-images` in the \
site's Region, or use `Ami::LatestAl2023` or an SSM parameter.";
    EC2_004 = "DRK-EC2-004",
        "an SSM parameter name for the AMI is not a valid parameter name",
        "Parameter names are made of `a-zA-Z0-9_.-` with `/` between the levels of a \
hierarchy; a name with levels starts with `/`; a hierarchy has at most 15 levels; and the \
name, counted with the parameter ARN before it (`arn:aws:ssm:<region>:<account>:parameter/`), \
is at most 1011 characters (\"Understanding parameter name requirements and constraints\", \
<https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html>; \
`PutParameter`, <https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html>). \
Give the parameter's full name, e.g. \
`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`.";
    EC2_005 = "DRK-EC2-005",
        "a key pair name is empty, longer than 255 characters or not ASCII",
        "An EC2 key pair name is \"up to 255 ASCII characters\" (`CreateKeyPair` and \
`ImportKeyPair` `KeyName`, <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html>). \
Give the name of a key pair of the site's Region, or use `KeyPair::None` for no key pair.";
    EC2_006 = "DRK-EC2-006",
        "user data is larger than 16 KB",
        "\"User data is limited to 16 KB, in raw form, before it is base64-encoded\" (\"Work \
with instance user data\", Amazon EC2 User Guide, \
<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html>); a \
launch template with more fails to create. Move the bulk of the script to a file the \
instances download (from S3, or a package), and keep the user data a short bootstrap.";
    EC2_007 = "DRK-EC2-007",
        "an application port is 0",
        "TCP ports of security group rules and target groups are 1 to 65535 (\"Security group \
rules\", <https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html>; \
`CreateTargetGroup` `Port`, \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>). \
Set the port the app listens on.";
    EC2_008 = "DRK-EC2-008",
        "a health check grace period does not fit the Auto Scaling API's integer",
        "`HealthCheckGracePeriod` is an Integer of the Auto Scaling API (`CreateAutoScalingGroup`, \
<https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html>), \
a 32-bit signed number, so at most 2,147,483,647 seconds; AWS documents no other bound. A few \
minutes (300 s, the console's default) is what an instance needs to boot (\"Set the health \
check grace period for an Auto Scaling group\", \
<https://docs.aws.amazon.com/autoscaling/ec2/userguide/health-check-grace-period.html>).";
    EC2_009 = "DRK-EC2-009",
        "an existing instance profile is not given by an IAM instance profile ARN",
        "`InstanceRole::ExistingProfile` takes the ARN of an IAM instance profile, \
`arn:aws:iam::123456789012:instance-profile/NAME` (with an optional path before the name): \
IAM ARNs have no Region, the account is 12 digits, the name is 1 to 128 of `[A-Za-z0-9+=,.@_-]` \
(\"IAM identifiers\", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>; \
`InstanceProfile`, <https://docs.aws.amazon.com/IAM/latest/APIReference/API_InstanceProfile.html>). \
A role's ARN is not a profile's: instances get a role through an instance profile.";
    EC2_010 = "DRK-EC2-010",
        "a managed policy of a new instance role is not a policy name",
        "`InstanceRole::Create` takes AWS managed policy names, such as \
`AmazonSSMManagedInstanceCore` (with a path when the policy has one, e.g. \
`service-role/AmazonEC2RoleforSSM`); drkit builds each ARN \
`arn:<partition>:iam::aws:policy/NAME`. A policy name is 1 to 128 of `[A-Za-z0-9+=,.@_-]` \
and a path is printable ASCII without `*` (`CreatePolicy`, \
<https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html>; `PolicyDetail`, \
<https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyDetail.html>). An ARN given \
as a name would be nested in another ARN: give the part after `policy/`.";
    EC2_011 = "DRK-EC2-011",
        "both sites of a DR pair are given the same AMI id",
        "AMI ids are regional: an AMI exists in the Region it was made in, and a copy in \
another Region gets a new id (\"Copy an Amazon EC2 AMI\", \
<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html>). One id given to both \
sites fails in one of them. Give each site the id of its own Region with \
`Ami::id(site.pick(primary_id, secondary_id))`, or use `Ami::LatestAl2023` or an SSM \
parameter, which CloudFormation resolves in each Region.";
    CAP_001 = "DRK-CAP-001",
        "a minimum size is greater than the maximum size",
        "An Auto Scaling group or EKS node group needs min ≤ desired ≤ max (\"Set scaling \
limits for your Auto Scaling group\", \
<https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-capacity-limits.html>). Lower \
the minimum or raise the maximum.";
    CAP_002 = "DRK-CAP-002",
        "the desired capacity is outside the minimum .. maximum range",
        "An Auto Scaling group or EKS node group needs min ≤ desired ≤ max (\"Set scaling \
limits for your Auto Scaling group\", \
<https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-capacity-limits.html>). Set the \
desired capacity within the range, or widen the range.";
    CAP_003 = "DRK-CAP-003",
        "an EKS node group has zero nodes",
        "With a desired or maximum size of 0 the node group runs no node, so no pod can be \
scheduled and the site serves nothing. Set the desired and maximum sizes to at least 1 (2 \
keeps a node up while another is replaced).";
    CAP_004 = "DRK-CAP-004",
        "a fleet's rolling update takes it below its minimum size (warning)",
        "An `Ec2Fleet` replaces its instances by a rolling update when a deploy changes its \
launch template (a new AMI from the SSM parameter, new user data), keeping \
`MinInstancesInService` instances in service, and CloudFormation requires that number to be \
less than the group's `MaxSize` (\"UpdatePolicy attribute\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>; \
otherwise the update fails with \"MinInstancesInService must be less than the autoscaling \
group's MaxSize\"). With `max_size` equal to `min_size` there is no room to start a new \
instance before an old one stops, so drkit keeps `min_size - 1` in service and the fleet \
runs one instance short during each update. Raise `max_size` to `min_size + 1` (leaving \
`max_size` unset does that), or choose `FleetUpdatePolicy::Manual` to replace instances \
yourself.";
    CAP_005 = "DRK-CAP-005",
        "a rolling update keeps at least MaxSize instances in service",
        "CloudFormation requires an Auto Scaling group's `AutoScalingRollingUpdate` \
`MinInstancesInService` to be less than the group's `MaxSize` (\"UpdatePolicy attribute\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html>). \
The group is created, but its first update that replaces instances fails with \
\"MinInstancesInService must be less than the autoscaling group's MaxSize\" and rolls back. \
Lower `MinInstancesInService` or raise `MaxSize`.";
    // DRK-EKS-002 (an EKS cluster's VPC has fewer than 2 AZs) is retired: the VPC reports
    // that slip itself (DRK-AZ-005, naming the EKS cluster), once, where it was made.
    EKS_003 = "DRK-EKS-003",
        "a Kubernetes version is not of the form 1.NN",
        "EKS versions are Kubernetes minor versions such as `1.31` (\"Understand the \
Kubernetes version lifecycle on EKS\", \
<https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>). Use one EKS \
supports.";
    EKS_004 = "DRK-EKS-004",
        "a node instance type cannot boot the node group's AMI type",
        "An EKS AMI type is built for one CPU architecture (x86_64 or arm64), and an instance \
type has one architecture (\"AWS::EKS::Nodegroup\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eks-nodegroup.html>). \
Set the AMI type the diagnostic names, or an instance type of the AMI's architecture.";
    EKS_005 = "DRK-EKS-005",
        "a Kubernetes version is past the end of EKS extended support",
        "Each Kubernetes version has 14 months of standard and 12 of extended support on \
EKS, and \"on the end of extended support date, you can no longer create new Amazon EKS \
clusters with the unsupported version\" (\"Understand the Kubernetes version lifecycle on \
EKS\", <https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>). drkit's \
version table (`dr_core::facts::eks`, with the date it was taken) knows the dates; the \
diagnostic names the versions EKS still creates. Use one of them.";
    EKS_006 = "DRK-EKS-006",
        "a Kubernetes version is not in drkit's EKS version table (warning)",
        "The version has the form `1.NN` but is not in drkit's table of EKS versions \
(`dr_core::facts::eks`, from \"Understand the Kubernetes version lifecycle on EKS\", \
<https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html>), which the \
diagnostic dates: it may be newer than the table, or not offered by EKS at all. Check it \
with `aws eks describe-cluster-versions`, or use a version the table lists.";
    EKS_007 = "DRK-EKS-007",
        "a node group AMI type is unknown",
        "A managed node group takes one of the AMI types of the EKS API (`AmiType`, \
\"CreateNodegroup\", Amazon EKS API Reference, \
<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html>), written \
exactly so (`AL2023_x86_64_STANDARD`, `BOTTLEROCKET_ARM_64`, ...). The diagnostic suggests \
the nearest one.";
    EKS_008 = "DRK-EKS-008",
        "a node group AMI type is not offered for the cluster's Kubernetes version",
        "\"Kubernetes version 1.32 is the last version for which Amazon EKS will release AL2 \
AMIs. From version 1.33 onwards, Amazon EKS will continue to release AL2023 and \
Bottlerocket based AMIs\" (\"Build a custom Amazon Linux AMI\", \
<https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-build-scripts.html>), so a node \
group of an `AL2_*` AMI type cannot be created in a 1.33 or later cluster. Use the AL2023 \
AMI type the diagnostic names.";
    EKS_009 = "DRK-EKS-009",
        "the CUSTOM AMI type is given, but drkit's node group has no custom AMI",
        "EKS reports `CUSTOM` for a node group launched from a launch template with a \
custom AMI, and `CreateNodegroup` takes no AMI type at all in that case (\"CreateNodegroup\", \
Amazon EKS API Reference, \
<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html>). An \
`EksCluster`'s node group has no launch template, so it has no AMI to use. Use an EKS \
optimized AMI type such as `AL2023_x86_64_STANDARD`.";
    EKS_010 = "DRK-EKS-010",
        "a control-plane log type is unknown",
        "EKS sends five control-plane logs to CloudWatch Logs: `api`, `audit`, \
`authenticator`, `controllerManager` and `scheduler` (\"Send control plane logs to \
CloudWatch Logs\", <https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html>), \
written exactly so. The diagnostic suggests the nearest one.";
    EKS_011 = "DRK-EKS-011",
        "a control-plane log type is listed twice",
        "Each log type is on or off; listing one twice enables nothing more and usually \
means another was meant. List each log type once.";
    EKS_012 = "DRK-EKS-012",
        "a public endpoint CIDR block includes reserved addresses",
        "The CIDR blocks allowed to the cluster's public API endpoint \"cannot include \
reserved addresses\" (\"Cluster API server endpoint\", \
<https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html>): private (RFC \
1918), shared (100.64.0.0/10), loopback, link-local, multicast and the other blocks IANA \
reserves never reach the public endpoint from the internet. Networks in the VPC, or routed \
to it, reach the private endpoint, which drkit always enables; list only public addresses \
here, such as an office's or a NAT gateway's egress address as a /32.";
    EKS_013 = "DRK-EKS-013",
        "more than 40 CIDR blocks are given for the public endpoint",
        "A cluster's public endpoint takes at most 40 CIDR blocks; the quota \"Public \
endpoint access CIDR ranges per cluster\" is not adjustable (\"Amazon Elastic Kubernetes \
Service endpoints and quotas\", <https://docs.aws.amazon.com/general/latest/gr/eks.html>). \
Merge neighbouring blocks, or reach the private endpoint through a VPN.";
    EKS_014 = "DRK-EKS-014",
        "a node group's maximum size is above the default quota of 450 nodes (warning)",
        "The quota \"Nodes per managed node group\" is 450 by default (\"Amazon Elastic \
Kubernetes Service endpoints and quotas\", \
<https://docs.aws.amazon.com/general/latest/gr/eks.html>). It is adjustable, so this is a \
warning: request an increase in Service Quotas before the group scales past it, or split \
the nodes across node groups.";
    EKS_015 = "DRK-EKS-015",
        "the KMS key for Kubernetes secrets is not a key of the cluster's Region",
        "EKS envelope-encrypts Kubernetes secrets with a symmetric KMS key \"created in the \
same AWS Region as the cluster\" (\"Encrypt Kubernetes secrets with KMS on existing \
clusters\", <https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html>; the \
`KeyArn` of `AWS::EKS::Cluster` `Provider` says the same). Give the ARN (or alias) of a key \
of the cluster's Region, or leave `secrets_encryption` at its default, which creates one.";
    ALB_001 = "DRK-ALB-001",
        "the load balancer serves plain HTTP (warning)",
        "Without `certificate_arn` the load balancer listens on HTTP only, so traffic to the \
app is unencrypted. Request an ACM certificate for the app's domain in the load balancer's \
Region and set `certificate_arn`; HTTP is then redirected to HTTPS.";
    ALB_002 = "DRK-ALB-002",
        "gRPC is asked for without an HTTPS listener",
        "A target group with the gRPC protocol version needs an HTTPS listener (\"Target \
groups for your Application Load Balancers\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>). \
Set `certificate_arn` to an ACM certificate of the Region, or use HTTP/1.1.";
    // DRK-ALB-003 (a load balancer's VPC has fewer than 2 AZs) is retired: the VPC reports
    // that slip itself (DRK-AZ-005, naming the load balancer), once, where it was made.
    ALB_004 = "DRK-ALB-004",
        "HTTP/2 to the targets is asked for without HTTPS",
        "A target group of protocol version HTTP/2 can be forwarded to only from an HTTPS \
listener: clients speak HTTP/2 to a load balancer only over TLS (\"Target groups for your \
Application Load Balancers\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html>), \
and ELB refuses the plain HTTP listener's forward action with \"Listener protocol 'HTTP' is \
not supported with a target group with the protocol-version 'HTTP2'\" \
(`InvalidLoadBalancerAction`, as reported in aws/copilot-cli#4551 and \
kubernetes-sigs/aws-load-balancer-controller#4497), so the stack fails minutes into the \
deploy. Set `certificate_arn`, or use HTTP/1.1.";
    ALB_005 = "DRK-ALB-005",
        "a certificate ARN is not an ACM certificate or IAM server certificate ARN",
        "An HTTPS listener takes a certificate from ACM \
(`arn:aws:acm:REGION:ACCOUNT:certificate/ID`) or an IAM server certificate \
(`arn:aws:iam::ACCOUNT:server-certificate/NAME`, no Region) (\"SSL certificates for your \
Application Load Balancer\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html>; \
\"IAM identifiers\", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html>). \
Give the certificate's ARN from ACM (`aws acm list-certificates`).";
    ALB_006 = "DRK-ALB-006",
        "an ACM certificate of another Region is given to a load balancer",
        "\"Certificates in ACM are regional resources. To use a certificate with Elastic Load \
Balancing for the same fully qualified domain name (FQDN) or set of FQDNs in more than one \
AWS region, you must request or import a certificate for each region\" (\"Supported \
Regions\", ACM User Guide, <https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html>). \
A load balancer takes only certificates of its own Region, so the listener fails to create \
after the network is built. In a `DrPair`, give each site its own certificate with \
`site.pick(primary_arn, secondary_arn)`, in the order of the sites.";
    ALB_007 = "DRK-ALB-007",
        "a target port is 0",
        "A target group's port is 1 to 65535 (`CreateTargetGroup` `Port`, \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>). \
Set the port the targets listen on.";
    ALB_008 = "DRK-ALB-008",
        "a health check path is not a path ELB accepts",
        "A target group's health check path is 1 to 1024 characters (`CreateTargetGroup` \
`HealthCheckPath`, \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>), \
and ELB refuses one that does not start with `/` or has other characters than letters, \
digits and `-@:%_+.~#?&/=` (\"Health check must begin with a '/' and can only consist of \
the characters: a-z, A-Z, 0-9, and @:%_+.~#?&/=\", quoted in apollographql/router#1852). \
Percent-encode anything else, e.g. a space as `%20`.";
    ALB_009 = "DRK-ALB-009",
        "an SSL policy is not one of the load balancer's security policies",
        "An HTTPS listener takes one of the predefined ELB security policies; Application Load \
Balancers do not support custom ones (\"Security policies for your Application Load \
Balancer\", <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>). \
drkit vendors the list of that page (`SSL_POLICIES` in `dr-aws-constructs/src/alb.rs`, with its date); the diagnostic \
suggests the nearest name. The default, `ELBSecurityPolicy-TLS13-1-2-2021-06`, is AWS's \
recommendation.";
    ALB_010 = "DRK-ALB-010",
        "an internet-facing load balancer does not wait for its VPC's internet gateway",
        "ELB refuses to create an internet-facing load balancer in a VPC with no attached \
internet gateway (\"VPC vpc-… has no internet gateway\", error code `InvalidSubnet`, as \
reported in aws-cloudformation/aws-cloudformation-templates#75 and openshift/installer#1110). \
CloudFormation creates resources in parallel unless one depends on another, so a load \
balancer that does not depend on the `AWS::EC2::VPCGatewayAttachment` of its VPC races it \
and fails when it wins (\"DependsOn attribute\", \"When a DependsOn attribute is required\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html>; \
AWS CDK makes every internet-facing load balancer depend on its subnets' \
`internetConnectivityEstablished` for this reason). Add a `DependsOn` on the attachment, or \
on the public subnets' default routes, which depend on it.";
    // Load balancer secure defaults and access logs (issue 19, helper B).
    ALB_011 = "DRK-ALB-011",
        "an HTTPS listener's security policy still accepts TLS 1.0 or TLS 1.1",
        "The security policies whose names carry `1-0` or `1-1` (`ELBSecurityPolicy-TLS13-1-0-2021-06`, \
`-TLS13-1-1-…`, `-FS-1-1-2019-08`, `-TLS-1-1-2017-01`), `ELBSecurityPolicy-2016-08` (the API's and \
CloudFormation's default), `-2015-05`, `-TLS-1-0-2015-04` and `-FS-2018-06` let clients negotiate \
TLS 1.0 or 1.1, deprecated by RFC 8996 (\"Protocols by policy\" tables of \"Security policies \
for your Application Load Balancer\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html>). \
Use a TLS 1.2+ policy such as the default `ELBSecurityPolicy-TLS13-1-2-2021-06` (or a `-Res-`, \
`-Ext1-`, `-Ext2-`, `FS-1-2-…` or `TLS13-1-3-…` one). If clients that speak only TLS 1.0/1.1 \
must still connect, set `allow_legacy_tls(true)` on the load balancer to accept the policy \
knowingly.";
    ALB_012 = "DRK-ALB-012",
        "the existing bucket given for access logs is not a valid S3 bucket name",
        "`AccessLogs::Bucket(name)` names an existing general purpose bucket: 3 to 63 \
lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit, no \
two adjacent dots, not an IP address, not starting with `xn--`, `sthree-` or `amzn-s3-demo-` \
and not ending with `-s3alias`, `--ol-s3`, `.mrap` or `--x-s3` (\"General purpose bucket \
naming rules\", <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>). \
Give the bucket's name (not its ARN or URL); the bucket must be in the load balancer's Region \
and let the Region's Elastic Load Balancing principal write to it (\"Enable access logs for \
your Application Load Balancer\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>), \
or use `AccessLogs::Create` and drkit makes one.";
    ALB_013 = "DRK-ALB-013",
        "the access-log retention is not a number of days S3 lifecycle accepts",
        "The access-log bucket's lifecycle rule expires logs after `access_log_retention_days`. \
S3 refuses 0 (\"'Days' for Expiration action must be a positive integer\", as S3 answers \
`PutBucketLifecycleConfiguration`, reproduced in scality/Arsenal#2648; \"LifecycleExpiration\", \
<https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html>: \"The value must \
be a non-zero positive integer\") and the value is a 32-bit integer there, so at most \
2147483647. Give a number of days from 1 up, e.g. the default 90.";
    ALB_014 = "DRK-ALB-014",
        "the access-log prefix is one ELB does not accept",
        "ELB writes logs to `bucket/prefix/AWSLogs/<account>/…`: \"The prefix that you specify \
must not include AWSLogs\" (\"Enable access logs for your Application Load Balancer\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>), \
and a prefix that starts or ends with `/` is refused by ELB, which CloudFormation then \
ignores, creating the load balancer with access logs off \
(aws-cloudformation/cloudformation-coverage-roadmap#1928). Give a prefix such as `alb` or \
`site/alb`, without leading or trailing slashes, or none.";
    ALB_015 = "DRK-ALB-015",
        "a load balancer's access-log bucket is encrypted with a KMS key",
        "\"The only server-side encryption option that's supported is Amazon S3-managed keys \
(SSE-S3)\" for access-log buckets (\"Enable access logs for your Application Load Balancer\", \
<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html>). \
With SSE-KMS or DSSE-KMS as the bucket's default encryption, ELB refuses the load balancer \
with the same `Access Denied for bucket: <name>. Please check S3bucket permission` it gives \
for a missing permission (aws/aws-cdk#21947, terraform-aws-modules/terraform-aws-alb#61). \
Keep the bucket's `SSEAlgorithm` `AES256`; S3-managed keys already encrypt every log object.";

    // ARNs.
    ARN_001 = "DRK-ARN-001",
        "a value that must be an ARN is not a well-formed ARN",
        "An ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`: the partition `aws`, \
`aws-cn` or `aws-us-gov`; a lowercase service namespace; a Region code or nothing; a \
12-digit account id, nothing, or `aws` for AWS managed policies; and the resource \
(\"Amazon Resource Names (ARNs)\", IAM User Guide, \
<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>). The message says \
which part is wrong; copy the ARN from the console or the CLI.";

    // Aurora.
    RDS_001 = "DRK-RDS-001",
        "a DB instance class is not supported by the Aurora engine version",
        "Each Aurora engine version accepts its own set of DB instance classes (\"Supported \
DB engines for DB instance classes\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html>); \
e.g. Aurora MySQL 3 does not offer db.t2 classes. The diagnostic names the smallest classes \
the version accepts.";
    RDS_002 = "DRK-RDS-002",
        "a DB instance class is unknown",
        "The class is not one drkit knows (often a typo); the diagnostic suggests the \
nearest. Aurora's classes are listed in \"Supported DB engines for DB instance classes\" \
(<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html>).";
    RDS_003 = "DRK-RDS-003",
        "an engine version drkit has no facts for: the instance class was not checked (warning)",
        "drkit checks the instance class against the engine version it knows; for a newer or \
unusual version it cannot, and says so. Check the class yourself in \"Supported DB engines \
for DB instance classes\" \
(<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html>), \
or use the engine's default version.";
    RDS_004 = "DRK-RDS-004",
        "a DB instance class cannot serve in an Aurora global database",
        "An Aurora global database requires memory-optimized DB instance classes, never \
burstable ones (\"Configuration requirements of an Amazon Aurora global database\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.configuration.requirements.html>). \
Use a db.r5, db.r6g, db.r6i, db.r7g or db.r8g class.";
    RDS_005 = "DRK-RDS-005",
        "the number of instances is not 1 to 16",
        "An Aurora cluster has one writer and up to 15 readers (\"Replication with Amazon \
Aurora\", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html>). \
Use 2: a writer and a reader that can take over.";
    RDS_006 = "DRK-RDS-006",
        "the backup retention is not 1 to 35 days",
        "Aurora keeps automated backups for 1 to 35 days (\"Overview of backing up and \
restoring an Aurora DB cluster\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html>). \
Set `backup_retention_days` within that range.";
    // DRK-RDS-007 (a database's VPC has fewer than 2 AZs) is retired: the VPC reports that
    // slip itself (DRK-AZ-005), once, where it was made.
    RDS_008 = "DRK-RDS-008",
        "master secret settings are given to a global database's secondary cluster",
        "A secondary cluster of a global database takes its credentials from the primary and \
has no secret of its own to name, encrypt or replicate. Set `secret_name`, \
`secret_kms_key_id` and `secret_replicas` on the primary cluster instead.";
    RDS_009 = "DRK-RDS-009",
        "a master user name or database name is invalid or reserved",
        "Aurora names start with a letter and hold only letters, digits and underscores: a \
master user name 1 to 16 characters (`MasterUsername` of \"CreateDBCluster\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>), a \
database name 1 to 64 for Aurora MySQL and 1 to 63 for Aurora PostgreSQL (`DBName` of \
\"CreateDBInstance\", <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html>). \
Neither may be a word the engine reserves: RDS keeps `rdsadmin` for itself, and PostgreSQL \
reserves SQL key words such as `user` and `select` (\"SQL Key Words\", \
<https://www.postgresql.org/docs/current/sql-keywords-appendix.html>). Choose another name, \
e.g. `dbadmin`.";
    RDS_010 = "DRK-RDS-010",
        "a cluster's engine or engine version differs from its global database's",
        "Every member of an Aurora global database runs the same engine version, patch level \
included (\"Upgrading an Amazon Aurora global database\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>). \
Set the cluster's engine version to the global database's, or leave both unset.";
    RDS_011 = "DRK-RDS-011",
        "`DeletionPolicy: Snapshot` on an instance of an Aurora cluster",
        "The RDS resource provider fails the create of an `AWS::RDS::DBInstance` that has a \
`DBClusterIdentifier` and `DeletionPolicy: Snapshot`: \"DeletionPolicy:Snapshot cannot be \
specified for a cluster instance, use deletion policy on the cluster instead.\" \
(aws-cloudformation-resource-providers-rds, `aws-rds-dbinstance` `CreateHandler`, \
<https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds>). The stack \
fails after its cluster was created, and the rollback then meets the cluster's deletion \
protection. An instance of a cluster holds no data of its own: give it `Delete`, and keep \
`Snapshot` on the `AWS::RDS::DBCluster`, whose final snapshot holds the data.";
    RDS_012 = "DRK-RDS-012",
        "an Aurora engine version that AWS no longer accepts for new clusters, or not one of the engine",
        "RDS marks old engine versions `deprecated` in `DescribeDBEngineVersions`, and no new \
DB cluster can be created with one (cfn-lint rule W3690, whose lists drkit vendors: cfn-lint \
1.58.0, <https://github.com/aws-cloudformation/cfn-lint>). An Aurora version starts with its \
major number (`8.0.mysql_aurora.3.10.3`, `16.10`), so a value that does not (`latest`, an \
empty string) is not one, nor is a version of the other Aurora engine. The diagnostic lists current versions of the same line; \
`aws rds describe-db-engine-versions --engine aurora-mysql` lists them all.";
    RDS_013 = "DRK-RDS-013",
        "an Aurora engine version that drkit's version table does not know (warning)",
        "drkit checks engine versions against a table taken from RDS `DescribeDBEngineVersions` \
on the date the diagnostic names (cfn-lint 1.58.0's lists, \
<https://github.com/aws-cloudformation/cfn-lint>); a version released since is not in it. \
Check it with `aws rds describe-db-engine-versions --engine aurora-mysql` (or \
`aurora-postgresql`). When drkit cannot tell the version's major line, the instance class \
is not checked against it either, and the same warning says so.";
    RDS_014 = "DRK-RDS-014",
        "a DB cluster port outside 1150-65535",
        "An Aurora DB cluster listens on a port from 1150 to 65535 (`Port` of \"CreateDBCluster\", \
Amazon RDS API Reference, \
<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>). \
Leave `port` unset for the engine's default (3306 or 5432).";
    RDS_015 = "DRK-RDS-015",
        "a KMS key for a DB cluster that is not a key ARN, key id, alias name or alias ARN",
        "RDS takes \"the key ARN, key ID, alias ARN, or alias name for the KMS key\" (`KmsKeyId` \
of \"CreateDBCluster\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>): \
`arn:aws:kms:<region>:<account>:key/<key-id>`, a key id \
(`1234abcd-12ab-34cd-56ef-1234567890ab`, or `mrk-` and 32 hex digits for a multi-Region \
key), `alias/<name>` (1 to 256 characters: letters, digits, `/`, `_`, `-`; \"Create \
aliases\", <https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html>), or \
`arn:aws:kms:<region>:<account>:alias/<name>`.";
    RDS_016 = "DRK-RDS-016",
        "a DB cluster's KMS key is in another Region",
        "A KMS key serves only its own Region, and a cluster in another Region, a global \
database's secondary included, needs \"a KMS key identifier that is valid in the destination \
Amazon Web Services Region\" (`KmsKeyId` of \"CreateDBCluster\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>). Use a \
key of the cluster's own Region (in a `pick` pair, check that the two are not swapped).";
    RDS_017 = "DRK-RDS-017",
        "a global cluster identifier that AWS refuses",
        "A global cluster identifier has 1 to 63 letters, digits or hyphens, starts with a \
letter, and neither ends with a hyphen nor holds two in a row (`GlobalClusterIdentifier` of \
\"AWS::RDS::DBCluster\", pattern `^[a-zA-Z]{1}(?:-?[a-zA-Z0-9]){0,62}$`, \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>; \
\"ModifyGlobalCluster\", <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyGlobalCluster.html>). \
An empty identifier takes the cluster out of its global database.";
    RDS_018 = "DRK-RDS-018",
        "the master secret is replicated to the cluster's own Region",
        "A secret's replicas live in other Regions; Secrets Manager refuses a replica in the \
primary secret's own Region with `InvalidParameterException: Invalid replica region.` \
(\"Replicate AWS Secrets Manager secrets across Regions\", \
<https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html>). \
List only the other Regions in `secret_replicas`.";
    RDS_019 = "DRK-RDS-019",
        "a master secret name that Secrets Manager refuses or advises against",
        "A secret name has 1 to 512 characters: ASCII letters, digits and `/_+=.@-`; and, as \
Secrets Manager advises, it does not end with a hyphen followed by six characters, which \
Secrets Manager itself appends to the ARN, so a partial-ARN lookup would be ambiguous \
(`Name` of \"CreateSecret\", AWS Secrets Manager API Reference, \
<https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html>). \
The default name is the cluster's construct path; set `secret_name` when the path does not \
make a valid name.";
    RDS_020 = "DRK-RDS-020",
        "a KMS key for the master secret or a replica is malformed or of another Region",
        "Secrets Manager takes \"the ARN, key ID, or alias of the KMS key\" (`KmsKeyId` of \
\"CreateSecret\", <https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html>), \
and a KMS key serves only its own Region: the secret's key must be of the cluster's Region, \
each replica's key of the replica's Region (\"Replicate AWS Secrets Manager secrets across \
Regions\", <https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html>). \
In a `pick` pair, check that the two keys are not swapped.";
    RDS_021 = "DRK-RDS-021",
        "a log type that the Aurora engine does not export to CloudWatch Logs",
        "An Aurora MySQL cluster exports `audit`, `error`, `general`, `instance`, `slowquery` \
and `iam-db-auth-error`; an Aurora PostgreSQL cluster `instance`, `postgresql` and \
`iam-db-auth-error` (`EnableCloudwatchLogsExports` of \"CreateDBCluster\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html>). RDS \
refuses any other with `InvalidParameterCombination` \"You cannot use the log types '…' with \
engine version … For supported log types, see the documentation.\", and CloudFormation \
takes each type once. Leave `log_exports` unset for the engine's default.";
    RDS_022 = "DRK-RDS-022",
        "the IAM authentication error log is exported while IAM database authentication is off",
        "The `iam-db-auth-error` log records failed IAM database authentications and stays \
empty unless the cluster has IAM database authentication on (\"Aurora PostgreSQL database \
log files\", <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.html>: \
\"To enable IAM database authentication error logs, you must first enable IAM database \
authentication\"). Turn `iam_authentication` on, or drop the log type.";
    RDS_023 = "DRK-RDS-023",
        "an Enhanced Monitoring interval RDS does not offer",
        "RDS collects Enhanced Monitoring metrics every 1, 5, 10, 15, 30 or 60 seconds, and 0 \
turns it off (`MonitoringInterval` of \"AWS::RDS::DBInstance\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html>).";
    RDS_024 = "DRK-RDS-024",
        "an Enhanced Monitoring interval without a role, or a role without an interval",
        "RDS needs both or neither: `InvalidParameterCombination` \"A MonitoringRoleARN value is \
required if you specify a MonitoringInterval value other than 0.\" and \"You must specify a \
MonitoringInterval value other than 0 when you specify a MonitoringRoleARN value.\" (moto's \
RDS backend, `moto/rds/models.py`, <https://github.com/getmoto/moto>; \"Setting up and \
enabling Enhanced Monitoring\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html>). \
`RdsCluster` creates the role when none is given; give no role when the interval is 0.";
    RDS_025 = "DRK-RDS-025",
        "the Enhanced Monitoring role is not the ARN of an IAM role",
        "RDS publishes Enhanced Monitoring metrics with an IAM role that \
`monitoring.rds.amazonaws.com` may assume, named by its ARN, \
`arn:aws:iam::<account>:role/<name>` (`MonitoringRoleArn` of \"AWS::RDS::DBInstance\", \
<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html>). \
Give the role's ARN, or leave `monitoring_role_arn` unset and let drkit create the role.";
    RDS_026 = "DRK-RDS-026",
        "Database Insights or Performance Insights on a DB instance class that does not support it",
        "Aurora MySQL offers Database Insights, and the Performance Insights it builds on, on \
no db.t2 or db.t3 class nor db.t4g.micro or db.t4g.small (\"Amazon Aurora DB engine, \
Region, and instance class support for Database Insights\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html>). \
Use a larger class for the Advanced mode, or keep the Standard mode, which drkit leaves to \
RDS's default on such a class.";
    RDS_027 = "DRK-RDS-027",
        "the Advanced mode of Database Insights without Performance Insights kept 465 days",
        "The Advanced mode of Database Insights needs Performance Insights on with a \
retention of at least 465 days (\"Considerations for Database Insights for Amazon Aurora\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html>); \
RDS refuses the cluster otherwise with `InvalidParameterCombination` \"To enable the Advanced \
mode of Database Insights, modify your cluster to enable Performance Insights and set the \
retention period for Performance Insights to at least 465 days.\" (pulumi/pulumi-aws#5286). \
`RdsCluster` sets both with `DatabaseInsights::Advanced`.";
    RDS_028 = "DRK-RDS-028",
        "automatic minor version upgrades asked of a member of an Aurora global database",
        "Automatic minor version upgrades do not apply to clusters that are part of an Aurora \
global database (\"Enabling automatic upgrades between minor Aurora MySQL versions\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Updates.AMVU.html>); \
its members must run the same version and are upgraded deliberately, secondaries first \
(\"Upgrading an Amazon Aurora global database\", \
<https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-upgrade.html>). \
Leave `auto_minor_version_upgrade` unset (false for a global member).";

    // DNS.
    DNS_001 = "DRK-DNS-001",
        "no hosted zone id is given for the failover records",
        "The failover records go into an existing public hosted zone, named by its id. Set \
the zone's id (Route 53 console, Hosted zones), or let drkit create the zone.";
    DNS_002 = "DRK-DNS-002",
        "the app creates a public hosted zone that is not delegated yet (warning)",
        "A new public hosted zone answers nobody until its parent zone or registrar lists \
its name servers (\"Making Amazon Route 53 the DNS service for an existing domain\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/MigratingDNS.html>). After the \
first deploy, add the stack's `NameServers` output as NS records at the registrar or the \
parent zone, or use an existing zone.";
    DNS_003 = "DRK-DNS-003",
        "both failover targets are in the same Region",
        "DNS failover moves traffic from the primary Region to the DR Region; with both \
load balancers in one Region a Regional outage takes both down (\"Failover routing\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-failover.html>). \
Put the primary and the secondary load balancer in different Regions.";
    DNS_005 = "DRK-DNS-005",
        "a private hosted zone name is not a valid DNS name",
        "Zone names are labels of letters, digits and hyphens (not at either end), each 1 to \
63 characters, joined by dots (\"DNS domain name format\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>). \
drkit accepts no other characters.";
    DNS_006 = "DRK-DNS-006",
        "a private hosted zone has no VPC",
        "A private hosted zone answers only inside the VPCs associated with it, and Route 53 \
requires at least one at creation (\"Creating a private hosted zone\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-creating.html>). \
Attach the VPCs of both sites.";
    DNS_007 = "DRK-DNS-007",
        "a record label is not a valid DNS label",
        "A label is letters, digits and hyphens (not at either end), 1 to 63 characters \
(\"DNS domain name format\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>), e.g. \
`db`.";
    DNS_008 = "DRK-DNS-008",
        "the app's domain is missing or not a valid domain name",
        "The domain is the name users reach the app by, e.g. `shop.example.com`: labels of \
letters, digits and hyphens joined by dots (\"DNS domain name format\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>).";
    DNS_009 = "DRK-DNS-009",
        "the app's domain is not inside the hosted zone",
        "A hosted zone holds records for its own name and names below it only: \
`shop.example.com` fits in `example.com`, not in `example.org`. Use a domain ending in the \
zone's name, or the zone that holds the domain.";
    DNS_010 = "DRK-DNS-010",
        "a public hosted zone name is not a valid DNS name",
        "The hosted zone is named by its domain, e.g. `example.com`: labels of letters, digits \
and hyphens joined by dots (\"DNS domain name format\", \
<https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html>).";
    DNS_011 = "DRK-DNS-011",
        "a hosted zone id is not a Route 53 hosted zone id",
        "A hosted zone id is upper-case letters and digits, at most 32 characters, e.g. \
`Z0123456789ABCDEFGHIJ` (`Id` of \"HostedZone\", \
<https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html>). Some API \
answers prefix it with `/hostedzone/`; CloudFormation's `AWS::Route53::HostedZone::Id` \
parameter takes the bare id. Copy it from the Route 53 console (Hosted zones).";
    DNS_012 = "DRK-DNS-012",
        "a record's TTL is outside what Route 53 accepts",
        "A record's TTL is 0 to 2147483647 seconds (`TTL` of \"ResourceRecordSet\", \
<https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html>). The \
database CNAME's target never changes (the global writer endpoint follows the writer), so a \
short TTL such as the default 30 s costs nothing.";

    // Peering.
    PEER_001 = "DRK-PEER-001",
        "one side of a peering is created in a stack of another Region",
        "Each side's routes are created in a stack of that side's Region, since a stack \
deploys to one Region only. Create the side in a stack of its VPC's Region.";
    PEER_002 = "DRK-PEER-002",
        "both VPCs of an inter-Region peering are in the same Region",
        "`VpcPeering` connects two Regions (with `PeerRegion`). Use VPCs of two Regions, or \
an intra-Region peering.";

    // The DR pair.
    PAIR_001 = "DRK-PAIR-001",
        "the two sites of a DR pair are not built the same",
        "A DR site must be able to take the primary's load, so both sites must have the same \
resources with the same sizing (instance types, DB classes, capacities, versions, target \
ports, health paths). The diagnostic lists each difference. Build both sites alike; give \
values that must differ per Region with `site.pick(primary, secondary)`, or declare an \
intended difference with `site.allow_difference`.";
    PAIR_003 = "DRK-PAIR-003",
        "the primary and the DR site are in the same Region",
        "Disaster recovery across Regions needs two Regions: a Regional outage would take \
both sites down. Put the DR site in another Region, e.g. us-east-2 and us-west-2.";
    PAIR_004 = "DRK-PAIR-004",
        "a site hands no database member to the pair",
        "Each site of a DR pair has a member of the Aurora global database: the primary \
creates the global database, the DR site joins it. Call `site.database(&vpc, &clients)` in \
the closure, which runs for both sites.";
    PAIR_005 = "DRK-PAIR-005",
        "a site hands no load balancer to the pair",
        "The pair's failover DNS aliases each site's load balancer, so each site hands one \
over. Call `site.serve(&alb)` in the closure with the load balancer users reach.";
    PAIR_007 = "DRK-PAIR-007",
        "a site hands a second load balancer or database to the pair",
        "A site serves through one load balancer, and an Aurora global database has one \
cluster per Region. Call `site.serve` and `site.database` once per site.";
    PAIR_008 = "DRK-PAIR-008",
        "a load balancer or VPC handed to a site is in another Region",
        "What a site hands to the pair must be in the site's Region: the failover record and \
the database are per Region. Create it under the site (`Alb::new(site, …)`, \
`Vpc::new(site, …)`).";
    PAIR_009 = "DRK-PAIR-009",
        "the pair cannot grant a fleet with an existing instance profile the database secret",
        "`grant_database_secret` attaches a policy to the role the fleet creates; a fleet \
that uses an existing instance profile has no role drkit can change. Let the fleet create \
its role, or grant `secretsmanager:GetSecretValue` on the pair's secret to your role, and `kms:Decrypt` on the site's pair key (`site.pair_key_arn()`), which encrypts it.";
    PAIR_010 = "DRK-PAIR-010",
        "an app secret's id is not 1 to 64 ASCII letters and digits",
        "`site.app_secret(id)` names the secret `<pair>/PrimaryData/AppSecrets/<id>` and its \
construct `id`, so the id is kept to 1 to 64 ASCII letters and digits: within Secrets \
Manager's name characters (letters, digits and `/_+=.@-`, \"CreateSecret\", \
<https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html>), \
never ending in a hyphen and six characters, which Secrets Manager could read as the random \
suffix of an ARN. Name it by what it holds, e.g. `GrafanaAdmin`.";
    PAIR_011 = "DRK-PAIR-011",
        "an app secret is asked for by the DR site only",
        "The pair creates each app secret once, with the primary site, in \
`<pair>-Primary-Data`, and replicates it to the DR Region. A secret the primary run of the \
closure never asked for exists in neither Region. Call `site.app_secret(id)` in both runs \
(not under `if !site.is_primary()`).";
    PAIR_012 = "DRK-PAIR-012",
        "the VPC handed to site.database is in the site stack",
        "The data stacks need only the network: the subnets, the database's security group \
and the pair key. With the VPC in the site stack they wait for everything else in it too \
(an EKS cluster alone takes about 9 minutes), and Aurora, the slowest part of a first deploy \
(about 16 minutes for the primary cluster, then 25 for the secondary), starts that much \
later. Create the VPC in the site's network stack, `Vpc::new(site.network(), \"Network\", …)`; \
the rules admitting the database's clients are then created in the site stack, beside them.";
    PAIR_013 = "DRK-PAIR-013",
        "the pair's max_rpo_lag is under one second",
        "`max_rpo_lag` is the replication lag above which the DR site counts as not ready: \
`status` reports against it and a planned failover refuses above it. Aurora documents \
cross-Region lag as \"typically under 1 second\" (Using Amazon Aurora Global Database, \
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html), so \
a threshold below one second would call a healthy pair unready most of the time. Use a few \
seconds or more; the default is 30 seconds.";
    // Notifications (dr-aws-constructs::notifications).
    NOTIFY_001 = "DRK-NOTIFY-001",
        "the email address for alarm notifications is not one email address",
        "The alarm topic subscribes one email address (SNS sends it a confirmation link). \
Give one address like `ops@example.com`; subscribe more endpoints to the topic yourself.";
    NOTIFY_002 = "DRK-NOTIFY-002",
        "an alarm notifies an SNS topic of another Region",
        "CloudWatch alarms can notify only an SNS topic of their own Region: `PutMetricAlarm` \
refuses another Region's topic with \"Invalid region … specified. Only … is supported.\" \
(Using Amazon CloudWatch alarms, \
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions.html). \
Notify a topic of the alarm's Region, one topic per Region, and subscribe that topic to \
whatever is elsewhere.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};
    use std::sync::LazyLock;

    /// Whether `s` has a code's form, `DRK-AREA-NNN`.
    fn is_code_form(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 3
            && parts[0] == "DRK"
            && !parts[1].is_empty()
            && parts[1]
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
            && parts[2].len() == 3
            && parts[2].chars().all(|ch| ch.is_ascii_digit())
    }

    /// Every string literal of a code's form (`"DRK-AREA-NNN"`) in the workspace's Rust
    /// sources, with the file it is in. Other literals starting `DRK-` (a prefix, a format
    /// string) are not codes.
    fn codes_in_sources() -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        for (f, text) in SOURCES.iter() {
            for (i, _) in text.match_indices("\"DRK-") {
                let rest = &text[i + 1..];
                let end = rest.find('"').unwrap_or(rest.len());
                if is_code_form(&rest[..end]) {
                    out.push((rest[..end].to_string(), f.clone()));
                }
            }
        }
        out
    }

    /// Every `.rs` file of the workspace (`target/` and hidden folders left out) with its
    /// text, read once for all the tests here.
    static SOURCES: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        collect_rs(&root, &mut files);
        files
            .into_iter()
            .filter_map(|f| std::fs::read_to_string(&f).ok().map(|text| (f, text)))
            .collect()
    });

    fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name();
            if path.is_dir() {
                if name != "target" && !name.to_string_lossy().starts_with('.') {
                    collect_rs(&path, out);
                }
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }

    /// This file declares the codes; it does not count as a use.
    fn is_registry(path: &Path) -> bool {
        path.ends_with("diagnostics/codes.rs")
    }

    #[test]
    fn every_code_in_the_sources_is_registered() {
        let found = codes_in_sources();
        assert!(
            found.len() > 50,
            "the scan found only {} codes; is it reading the workspace?",
            found.len()
        );
        let missing: BTreeSet<String> = found
            .iter()
            .filter(|(c, p)| !is_registry(p) && lookup(c).is_none())
            .map(|(c, p)| format!("{c} ({})", p.display()))
            .collect();
        assert!(missing.is_empty(), "unregistered codes: {missing:?}");
    }

    /// The constant a code is declared as: `DRK-AZ-005` is `AZ_005`.
    fn constant_name(code: &str) -> String {
        code.trim_start_matches("DRK-").replace('-', "_")
    }

    #[test]
    fn every_registered_code_is_emitted_through_its_constant() {
        let sources: String = SOURCES
            .iter()
            .filter(|(p, _)| !is_registry(p))
            .map(|(_, text)| text.as_str())
            .collect();
        let unused: Vec<&str> = ALL
            .iter()
            .map(|c| c.code)
            .filter(|c| !sources.contains(&format!("codes::{}", constant_name(c))))
            .collect();
        assert!(
            unused.is_empty(),
            "registered but never emitted through `codes::…`: {unused:?}"
        );
    }

    #[test]
    fn codes_are_unique_well_formed_and_documented() {
        let mut seen = BTreeSet::new();
        for c in ALL {
            assert!(seen.insert(c.code), "{} is registered twice", c.code);
            assert!(
                is_code_form(c.code),
                "{} is not of the form DRK-AREA-NNN",
                c.code
            );
            assert!(
                !c.summary.is_empty() && !c.summary.contains('\n') && !c.summary.ends_with('.'),
                "{}: the summary is one line without a final full stop",
                c.code
            );
            assert!(
                c.explanation.ends_with('.') && !c.explanation.contains("  "),
                "{}: the explanation is sentences, with no doubled space",
                c.code
            );
        }
    }

    #[test]
    fn lookup_finds_exact_codes_only() {
        assert_eq!(lookup("DRK-AZ-005").map(|c| c.code), Some(AZ_005));
        assert_eq!(
            lookup(AZ_005).map(|c| c.summary),
            Some("fewer than 2 Availability Zones are given")
        );
        assert!(lookup("drk-az-005").is_none());
        assert!(lookup("DRK-AZ-999").is_none());
        assert!(lookup("").is_none());
        assert!(is_code_form("DRK-CIDR-005"));
        for not_a_code in [
            "DRK-",
            "DRK-{upper}",
            "DRK-AZ-5",
            "DRK-az-005",
            "DRK-AZ-005-1",
        ] {
            assert!(!is_code_form(not_a_code), "{not_a_code}");
        }
    }
}
