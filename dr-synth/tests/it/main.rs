//! dr-synth's integration tests as one test binary: every test file is a module here, so the
//! AWS SDK is linked once instead of once per file (each link costs time and hundreds of MB).

mod aws_common;
mod aws_moto;
mod conformance;
mod deploy_engine;
mod deploy_fake;
mod deploy_local;
mod local_dr;
mod local_eval;
mod local_faults;
mod local_stacks;
mod local_support;
mod synth;
