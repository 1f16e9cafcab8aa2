//! Every `Fn::GetAtt` attribute the facts list is one cfn-lint accepts (rule E6101 would
//! otherwise reject a template that uses it).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const SCRIPT: &str = r#"
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
print(json.dumps({t: sorted(m.get_type_getatts(t, "us-east-1").keys()) for t in sys.argv[1:]}))
"#;

#[test]
fn attributes_are_accepted_by_cfn_lint() {
    let Some(cfn_lint) = dr_testkit::require_tool("cfn-lint") else {
        return;
    };
    // cfn-lint is a Python console script: its shebang names the interpreter that has cfnlint.
    let script = std::fs::read_to_string(&cfn_lint).unwrap();
    let python = script
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("#!"))
        .map(str::trim)
        .expect("cfn-lint starts with a #! line");
    let out = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .args(dr_codegen::TYPES)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let accepted: BTreeMap<String, BTreeSet<String>> = serde_json::from_slice(&out.stdout).unwrap();

    let root = dr_codegen::workspace_root();
    let schemas = dr_codegen::Schema::load_all(&root.join(dr_codegen::SCHEMA_DIR)).unwrap();
    let mut rejected = Vec::new();
    for s in &schemas {
        for a in s.attributes() {
            if !accepted[&s.type_name].contains(&a) {
                rejected.push(format!("{} {a}", s.type_name));
            }
        }
    }
    assert!(
        rejected.is_empty(),
        "cfn-lint does not accept these attributes:\n  {}",
        rejected.join("\n  ")
    );
}
