//! The seed's DR system, declared once for two Regions: us-east-2 (primary) and us-west-2 (DR).
//!
//! `cargo run --example two_region -- synth --out DIR` writes the templates and manifest.

use drkit::prelude::*;

/// Builds the app; the tests synthesize the same function.
pub fn build() -> App {
    let app = App::new("shop");
    let primary = Stack::new(&app, "Shop-Primary", StackProps::in_region(Region::UsEast2));
    let secondary = Stack::new(&app, "Shop-Secondary", StackProps::in_region(Region::UsWest2));
    let topic = primary.child("Alerts").add_resource("Resource", "AWS::SNS::Topic", Expr::map([("DisplayName", "shop alerts")]));
    secondary
        .child("Alerts")
        .add_resource("Resource", "AWS::SNS::Topic", Expr::map([("DisplayName", Expr::from(topic.get_att("TopicName")))]));
    app
}

fn main() -> anyhow::Result<()> {
    drkit::cli::run(build())
}
