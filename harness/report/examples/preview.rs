#[path = "../tests/common/mod.rs"]
mod common;
fn main() {
    let root = std::path::Path::new("/tmp/report-preview");
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root).unwrap();
    let cells = common::fake_cells();
    let run = common::write_fake_run(root, &cells);
    common::add_maps(&run, "dictas_mvtec_k1_s0");
    let opts = dictas_report::ReportOptions {
        published_dir: Some(dictas_report::default_published_dir()),
        ..Default::default()
    };
    let s = dictas_report::run_report(&run, &opts).unwrap();
    println!("{}", s.paper_table_markdown);
}
