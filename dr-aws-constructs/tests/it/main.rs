//! dr-aws-constructs' integration tests as one test binary (one link instead of one per file).

mod common;
mod constructs;
mod create_and_serve;
mod dr_pair;
mod every_prop;
mod validators;
