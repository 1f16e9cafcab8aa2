//! The apps drkit's benchmarks measure: N copies of the `two_region` example's pair, built by
//! `examples/many_pairs.rs` itself, the app `many_pairs --pairs N` makes on the command line.

/// The example, which includes `two_region.rs` for the pair; its `main` goes unused here.
#[allow(dead_code)]
#[path = "../../examples/many_pairs.rs"]
mod example;

/// An app of `pairs` copies of the example's Grafana pair.
pub fn many_pairs(pairs: usize) -> drkit::prelude::App {
    example::build(pairs)
}
