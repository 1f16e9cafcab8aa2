//! Sourced AWS facts the constructs validate against: the EC2 instance types drkit accepts
//! ([`ec2`]) and which Aurora engine versions accept which DB instance classes ([`rds`]).
//!
//! Each module cites the AWS documentation it follows. The lists are deliberately the current,
//! common families rather than every type AWS sells: an unknown name is reported with the
//! nearest known one, so a rare but real type is a one-line addition here.

pub mod ec2;
pub mod eks;
pub mod elb;
pub mod rds;
