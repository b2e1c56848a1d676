//! End-to-end checks of `run_report` on fake runs (see `common`).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{
    add_maps, fake_cells, write_fake_run, FakeCell, DATASETS, FIXED_MVTEC_K4_AUROC, K_SHOTS,
    METRICS, SEEDS,
};
use dictas_report::{run_report, ReportOptions, ReportSummary};
use polars::prelude::{ParquetReader, SerReader};

fn report_for(root: &Path, options: ReportOptions) -> (Vec<FakeCell>, ReportSummary) {
    let cells = fake_cells();
    let run = write_fake_run(root, &cells);
    let summary = run_report(&run, &options).unwrap();
    (cells, summary)
}

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn header(path: &Path) -> Vec<String> {
    csv::Reader::from_path(path)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

/// Mean and sample std (n - 1), written out plainly as the test's own reference.
fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, variance.sqrt())
}

fn cells_of<'a>(cells: &'a [FakeCell], dataset: &str, k: u32) -> Vec<&'a FakeCell> {
    cells
        .iter()
        .filter(|c| c.dataset == dataset && c.k_shot == k)
        .collect()
}

#[test]
fn long_table_has_a_row_per_cell_class_and_metric() {
    let root = tempfile::tempdir().unwrap();
    let (cells, summary) = report_for(root.path(), ReportOptions::default());
    // (3 mvtec classes + mean) and (2 visa classes + mean), 9 metrics, 2 k-shots x 3 seeds each.
    let expected_rows = (4 + 3) * METRICS.len() * K_SHOTS.len() * SEEDS.len();
    assert_eq!(expected_rows, 378);

    let rows = read_csv(&summary.out_dir.join("long.csv"));
    assert_eq!(rows.len(), expected_rows);
    assert_eq!(
        header(&summary.out_dir.join("long.csv")),
        [
            "dataset",
            "method",
            "method_settings",
            "backbone",
            "image_size",
            "k_shot",
            "seed",
            "support_mode",
            "cell_id",
            "class",
            "metric",
            "value"
        ]
    );
    let cell = cells
        .iter()
        .find(|c| c.cell_id == "dictas_visa_k1_s2")
        .unwrap();
    let row = rows
        .iter()
        .find(|r| &r[8] == "dictas_visa_k1_s2" && &r[9] == "candle" && &r[10] == "f1_px")
        .unwrap();
    assert_eq!(row[11].parse::<f64>().unwrap(), cell.values[0][4]);
    assert_eq!(
        (&row[0], &row[4], &row[5], &row[6]),
        ("visa", "336", "1", "2")
    );

    let file = fs::File::open(summary.out_dir.join("long.parquet")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), expected_rows);
    assert_eq!(frame.width(), 12);
}

#[test]
fn seed_stats_and_dataset_means_match_hand_computed_values() {
    let root = tempfile::tempdir().unwrap();
    let (cells, summary) = report_for(root.path(), ReportOptions::default());

    let stats_path = summary.out_dir.join("seed_stats.csv");
    assert_eq!(
        header(&stats_path),
        [
            "dataset",
            "method",
            "method_settings",
            "backbone",
            "image_size",
            "k_shot",
            "support_mode",
            "metric",
            "mean",
            "std",
            "min",
            "max",
            "n"
        ]
    );
    let rows = read_csv(&stats_path);
    assert_eq!(rows.len(), DATASETS.len() * K_SHOTS.len() * METRICS.len());
    for row in &rows {
        let group = cells_of(&cells, &row[0], row[5].parse().unwrap());
        let values: Vec<f64> = group.iter().map(|c| c.mean_of(&row[7])).collect();
        let (mean, std) = mean_and_std(&values);
        let field = |i: usize| row[i].parse::<f64>().unwrap();
        assert!((field(8) - mean).abs() < 1e-12, "mean of {row:?}");
        assert!((field(9) - std).abs() < 1e-12, "std of {row:?}");
        assert_eq!(
            field(10),
            values.iter().copied().fold(f64::INFINITY, f64::min)
        );
        assert_eq!(
            field(11),
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        );
        assert_eq!(&row[12], "3");
    }
    // The hand-worked group: 0.90, 0.92, 0.97 -> mean 0.93, std sqrt(13e-4) = 0.036055512754639...
    let fixed = rows
        .iter()
        .find(|r| &r[0] == "mvtec" && &r[5] == "4" && &r[7] == "auroc_px")
        .unwrap();
    assert!((fixed[8].parse::<f64>().unwrap() - 0.93).abs() < 1e-12);
    assert!((fixed[9].parse::<f64>().unwrap() - 0.036_055_512_754_639_89).abs() < 1e-12);
    assert_eq!(FIXED_MVTEC_K4_AUROC, [0.90, 0.92, 0.97]);

    let means = read_csv(&summary.out_dir.join("dataset_means.csv"));
    assert_eq!(means.len(), cells.len());
    let means_header = header(&summary.out_dir.join("dataset_means.csv"));
    for cell in &cells {
        let row = means.iter().find(|r| r[0] == cell.cell_id).unwrap();
        for (m, metric) in METRICS.iter().enumerate() {
            let column = means_header.iter().position(|h| h == metric).unwrap();
            assert_eq!(
                row[column].parse::<f64>().unwrap(),
                cell.mean[m],
                "{} {metric}",
                cell.cell_id
            );
        }
    }
}

#[test]
fn paper_tables_print_percent_with_std_over_seeds() {
    let root = tempfile::tempdir().unwrap();
    let (cells, summary) = report_for(root.path(), ReportOptions::default());
    let markdown = fs::read_to_string(summary.out_dir.join("paper_table.md")).unwrap();
    let latex = fs::read_to_string(summary.out_dir.join("paper_table.tex")).unwrap();
    assert!(markdown.contains(&summary.paper_table_markdown));
    assert!(markdown.contains(
        "| Dataset | 1-shot AUROC | 1-shot PRO | 1-shot AP | 4-shot AUROC | 4-shot PRO | 4-shot AP |"
    ));
    assert!(latex.contains("\\multicolumn{3}{c}{1-shot} & \\multicolumn{3}{c}{4-shot}"));
    assert!(
        latex.contains("\\toprule")
            && latex.contains("\\midrule")
            && latex.contains("\\bottomrule")
    );

    // Rows in paper order, each entry "mean ± std" in percent with one decimal.
    let mvtec_row = markdown
        .lines()
        .find(|l| l.starts_with("| MVTec-AD |"))
        .unwrap();
    let visa_row = markdown
        .lines()
        .find(|l| l.starts_with("| VisA |"))
        .unwrap();
    assert!(markdown.find("| MVTec-AD |").unwrap() < markdown.find("| VisA |").unwrap());
    assert!(mvtec_row.contains("| 93.0 ± 3.6 |"), "{mvtec_row}");
    assert!(latex.contains("MVTec-AD & "));
    assert!(latex.contains("93.0 $\\pm$ 3.6"));

    for (line, dataset) in [(mvtec_row, "mvtec"), (visa_row, "visa")] {
        let mut expected = Vec::new();
        for k in K_SHOTS {
            for metric in ["auroc_px", "aupro_px", "ap_px"] {
                let values: Vec<f64> = cells_of(&cells, dataset, k)
                    .iter()
                    .map(|c| c.mean_of(metric))
                    .collect();
                let (mean, std) = mean_and_std(&values);
                expected.push(format!("{:.1} ± {:.1}", mean * 100.0, std * 100.0));
            }
        }
        let fields: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(&fields[1..], expected.as_slice(), "{dataset}");
    }
}

#[test]
fn comparison_lists_differences_and_published_only_rows() {
    let root = tempfile::tempdir().unwrap();
    let published = root.path().join("published");
    fs::create_dir_all(&published).unwrap();
    fs::write(
        published.join("paper.csv"),
        "method,dataset,k_shot,metric,value,source\n\
         DictAS,MVTec-AD,4,auroc_px,98.6,table 1\n\
         winclip,RESC,4,ap_px,38.4,table 1\n\
         dictas,mvtec,4,f1_px,50.0,table 9\n",
    )
    .unwrap();
    let options = ReportOptions {
        published_dir: Some(published),
        ..ReportOptions::default()
    };
    let (_, summary) = report_for(root.path(), options);

    let markdown = fs::read_to_string(summary.out_dir.join("comparison.md")).unwrap();
    // Ours 93.0 (0.90, 0.92, 0.97) against 98.6: 93.0 - 98.6 = -5.6.
    let matched = markdown
        .lines()
        .find(|l| l.contains("| MVTec-AD | 4 | AUROC |"))
        .unwrap();
    assert!(
        matched.contains("| 93.0 ± 3.6 | 98.6 | -5.6 |"),
        "{matched}"
    );
    let published_only = markdown.lines().find(|l| l.contains("| RESC |")).unwrap();
    assert!(
        published_only.contains("WinCLIP") && published_only.contains("published only"),
        "{published_only}"
    );
    assert!(
        !markdown.contains("F1-max"),
        "metrics outside the chosen ones are not compared"
    );

    let path = summary.out_dir.join("comparison.csv");
    let columns = header(&path);
    let col = |name: &str| columns.iter().position(|c| c == name).unwrap();
    let rows = read_csv(&path);
    let both: Vec<_> = rows
        .iter()
        .filter(|r| &r[col("status")] == "both")
        .collect();
    assert_eq!(both.len(), 1);
    assert!((both[0][col("difference")].parse::<f64>().unwrap() - (93.0 - 98.6)).abs() < 1e-9);
    assert_eq!(
        rows.iter()
            .filter(|r| &r[col("status")] == "published_only")
            .count(),
        1
    );
    // Every (dataset, k, chosen metric) group of ours appears: 2 x 2 x 3 rows, one matched.
    assert_eq!(
        rows.iter()
            .filter(|r| &r[col("status")] == "ours_only")
            .count(),
        2 * 2 * 3 - 1
    );
}

#[test]
fn incomplete_cells_are_skipped_with_a_warning() {
    let root = tempfile::tempdir().unwrap();
    let (cells, summary) = report_for(root.path(), ReportOptions::default());
    assert_eq!(summary.cells_read, cells.len());
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.contains("incomplete") && w.contains("dictas_mvtec_k8_s0")),
        "{:?}",
        summary.warnings
    );
    let rows = read_csv(&summary.out_dir.join("long.csv"));
    let k_shots: BTreeSet<&str> = rows.iter().map(|r| r.get(5).unwrap()).collect();
    assert_eq!(k_shots, BTreeSet::from(["1", "4"]));
}

#[test]
fn a_single_cell_folder_is_accepted() {
    let root = tempfile::tempdir().unwrap();
    let run = write_fake_run(root.path(), &fake_cells());
    let cell_dir = run.join("cells").join("dictas_visa_k4_s1");
    let out = root.path().join("single-report");
    let options = ReportOptions {
        out_dir: Some(out.clone()),
        ..ReportOptions::default()
    };
    let summary = run_report(&cell_dir, &options).unwrap();
    assert_eq!(summary.cells_read, 1);
    assert_eq!(summary.out_dir, out);
    let markdown = fs::read_to_string(out.join("paper_table.md")).unwrap();
    assert!(
        markdown.contains("| Dataset | 4-shot AUROC | 4-shot PRO | 4-shot AP |"),
        "{markdown}"
    );
    assert!(!markdown.contains('±'), "one seed has no std");
}

#[test]
fn bad_inputs_give_clear_errors() {
    let root = tempfile::tempdir().unwrap();
    let run = write_fake_run(root.path(), &fake_cells());
    let options = ReportOptions {
        metrics: vec!["auroc_px".into(), "nope".into()],
        ..ReportOptions::default()
    };
    let message = format!("{:#}", run_report(&run, &options).unwrap_err());
    assert!(
        message.contains("`nope`") && message.contains("available: auroc_px"),
        "{message}"
    );

    let message = format!(
        "{:#}",
        run_report(root.path(), &ReportOptions::default()).unwrap_err()
    );
    assert!(message.contains("is not a run folder"), "{message}");

    fs::write(
        run.join("cells/dictas_visa_k4_s1/cell.json"),
        "{\"cell_id\": 3}",
    )
    .unwrap();
    let message = format!(
        "{:#}",
        run_report(&run, &ReportOptions::default()).unwrap_err()
    );
    assert!(
        message.contains("dictas_visa_k4_s1/cell.json does not match"),
        "{message}"
    );
}

/// Decodes a PNG and counts its distinct colours.
fn png_colours(path: &Path) -> (u32, u32, usize) {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let colours: BTreeSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    (image.width(), image.height(), colours.len())
}

#[test]
fn plots_are_written_in_png_and_svg_and_are_not_blank() {
    let root = tempfile::tempdir().unwrap();
    let cells = fake_cells();
    let run = write_fake_run(root.path(), &cells);
    add_maps(&run, "dictas_mvtec_k1_s0");
    let published = dictas_report::default_published_dir();
    let options = ReportOptions {
        published_dir: Some(published),
        overlay_count: 2,
        ..ReportOptions::default()
    };
    let summary = run_report(&run, &options).unwrap();
    assert!(
        summary.warnings.iter().all(|w| !w.contains("cannot read")),
        "{:?}",
        summary.warnings
    );

    let plots = summary.out_dir.join("plots");
    let mut expected = vec![
        "methods_k1".to_string(),
        "methods_k4".to_string(),
        "overlays_dictas_mvtec_k1_s0_bottle".to_string(),
    ];
    for metric in ["auroc_px", "aupro_px", "ap_px"] {
        expected.push(format!("kshot_{metric}_dictas_ViT-L-14-336_336_random"));
    }
    expected.extend(cells.iter().map(|c| format!("classes_{}", c.cell_id)));
    for stem in &expected {
        let png = plots.join(format!("{stem}.png"));
        let svg = plots.join(format!("{stem}.svg"));
        assert!(
            summary.files.contains(&png) && summary.files.contains(&svg),
            "{stem} not reported"
        );
        let (width, height, colours) = png_colours(&png);
        assert!(width >= 300 && height >= 300, "{stem}: {width}x{height}");
        assert!(colours > 20, "{stem}: only {colours} colours");
        let text = fs::read_to_string(&svg).unwrap();
        assert!(
            text.trim_start().starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{stem}.svg"
        );
        assert!(text.contains("<text"), "{stem}.svg has no text");
    }
    let pngs = fs::read_dir(&plots)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "png");
    assert_eq!(pngs.count(), expected.len(), "unexpected extra plots");

    // The overlay tiles come from the saved images and maps, not grey placeholders: the
    // image gradients and jet colours give far more colours than text on white could.
    let (_, _, colours) = png_colours(&plots.join("overlays_dictas_mvtec_k1_s0_bottle.png"));
    assert!(colours > 1000, "overlay has only {colours} colours");
    let svg = fs::read_to_string(plots.join("overlays_dictas_mvtec_k1_s0_bottle.svg")).unwrap();
    assert!(
        svg.contains("data:image/png;base64,") && svg.contains("anomalous #1 (best): score 0.900")
    );
    assert!(svg.contains("normal #1 (worst): score 0.600"));
}

#[test]
fn unreadable_overlay_inputs_are_warnings_not_failures() {
    let root = tempfile::tempdir().unwrap();
    let run = write_fake_run(root.path(), &fake_cells());
    add_maps(&run, "dictas_mvtec_k1_s0");
    let images = run.join("cells/dictas_mvtec_k1_s0/images.csv");
    fs::write(
        &images,
        "img_path,cls_name\nmvtec/bottle/test/good/x.bmp,bottle\n",
    )
    .unwrap();
    let summary = run_report(&run, &ReportOptions::default()).unwrap();
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.starts_with("no overlays for") && w.contains("images.csv")),
        "{:?}",
        summary.warnings
    );
    assert!(!summary
        .out_dir
        .join("plots/overlays_dictas_mvtec_k1_s0_bottle.png")
        .exists());
}
