//! dr-aws-constructs' integration tests as one test binary (one link instead of one per file).

mod common;
mod constructs;
mod dr_pair;
mod validators;
