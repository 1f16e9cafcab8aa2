//! dr-aws's integration tests as one test binary (the AWS SDK is linked once), one module per
//! file (see ARCHITECTURE.md, "Tests"): the SDK backend against moto; the conformance suite that
//! runs the same checks against moto and the local simulator; the backend against a local
//! endpoint that never answers or answers only server errors.

mod conformance;
mod local_endpoint;
mod moto;
mod moto_support;
