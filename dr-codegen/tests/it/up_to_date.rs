//! The committed generated files match what dr-codegen produces from the vendored schemas.

#[test]
fn generated_files_are_up_to_date() {
    let root = dr_codegen::workspace_root();
    let generated = dr_codegen::generate(&root).expect("generating from dr-core/schemas");
    let diffs = dr_codegen::check(&root, &generated).expect("comparing with the committed files");
    assert!(
        diffs.is_empty(),
        "generated files are out of date; run `cargo run -p dr-codegen` and commit the result:\n  {}",
        diffs.join("\n  ")
    );
}

#[test]
fn every_type_is_vendored_and_generated() {
    let root = dr_codegen::workspace_root();
    let schemas = dr_codegen::Schema::load_all(&root.join(dr_codegen::SCHEMA_DIR)).unwrap();
    assert_eq!(schemas.len(), dr_codegen::TYPES.len());
    let generated = dr_codegen::generate(&root).unwrap();
    let all: String = generated
        .files
        .iter()
        .map(|f| f.contents.as_str())
        .collect();
    for t in dr_codegen::TYPES {
        assert!(
            all.contains(&format!("const TYPE_NAME: &'static str = {t:?};")),
            "{t}"
        );
    }
    for f in &generated.files {
        assert!(
            f.contents.starts_with(dr_codegen::HEADER),
            "{}",
            f.path.display()
        );
    }
}
