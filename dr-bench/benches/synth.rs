//! Synthesis at scale, in process: building the construct tree, synthesizing it, writing the
//! assembly. `cargo bench -p dr-bench`; BENCHMARKS.md has the figures.

use divan::Bencher;

fn main() {
    divan::main();
}

const PAIRS: &[usize] = &[1, 10, 50];

/// Declaring the pairs: the constructs and their validation.
#[divan::bench(args = PAIRS)]
fn build(pairs: usize) -> drkit::prelude::App {
    dr_bench::many_pairs(pairs)
}

/// The tree to an assembly (every check, every template), the app built beforehand.
#[divan::bench(args = PAIRS)]
fn synth(bencher: Bencher, pairs: usize) {
    let app = dr_bench::many_pairs(pairs);
    bencher.bench_local(|| drkit::synth::synth(&app).expect("the example synthesizes"));
}

/// Build and synthesis together: what `synth` does before writing.
#[divan::bench(args = PAIRS)]
fn build_and_synth(pairs: usize) -> drkit::synth::Assembly {
    drkit::synth::synth(&dr_bench::many_pairs(pairs)).expect("the example synthesizes")
}

/// Writing the assembly (templates, manifest) to a directory.
#[divan::bench(args = PAIRS)]
fn write(bencher: Bencher, pairs: usize) {
    let assembly = drkit::synth::synth(&dr_bench::many_pairs(pairs)).expect("synthesizes");
    let dir = tempfile::tempdir().expect("a temporary directory");
    bencher.bench_local(|| assembly.write(dir.path()).expect("the assembly writes"));
}

/// Cloning the finished templates' JSON: a floor for any synthesis whose artifacts are
/// `serde_json::Value`s, since it must allocate at least as much (BENCHMARKS.md).
#[divan::bench(args = PAIRS)]
fn template_values_floor(bencher: Bencher, pairs: usize) {
    let assembly = drkit::synth::synth(&dr_bench::many_pairs(pairs)).expect("synthesizes");
    bencher.bench(|| {
        assembly
            .stacks
            .iter()
            .map(|s| s.template.clone())
            .collect::<Vec<_>>()
    });
}
