//! The apps drkit's benchmarks measure: N copies of the `two_region` example's pair, built by
//! the example's own code (`examples/many_pairs.rs` makes the same app on the command line).

use drkit::prelude::*;

#[allow(dead_code, missing_docs)]
#[path = "../../examples/two_region.rs"]
mod two_region;

/// An app of `pairs` copies of the example's Grafana pair, named as `many_pairs` names them.
pub fn many_pairs(pairs: usize) -> App {
    let app = App::new("shops");
    for i in 1..=pairs {
        two_region::shop_pair(&app, &format!("Shop{i}"), &format!("shop{i}"));
    }
    app
}
