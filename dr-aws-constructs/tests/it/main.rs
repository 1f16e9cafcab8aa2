//! dr-aws-constructs' integration tests as one test binary (one link instead of one per file).

mod alb_security;
mod common;
mod constructs;
mod create_and_serve;
mod dr_pair;
mod eks_encryption;
mod every_prop;
mod validators;
