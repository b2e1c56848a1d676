//! `dictas sweep` end to end on the parity fixture: the cells and report of a 2 seeds x
//! 2 k-shots grid, resuming (a rerun does nothing; a killed run completes to the same
//! tables), shards sharing one folder, spec errors that name their line, and a random-support
//! cell repeated by `dictas eval` from its recorded list.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

const BACKBONE: (&str, &str) = ("tiny-clip", "clip-jit.pt");
const K_SHOTS: [usize; 2] = [1, 2];
const SEEDS: [u64; 2] = [1, 2];
/// The fixture's classes (bottle, wood) plus the `mean` row of every metrics.csv.
const METRIC_ROWS: usize = 3;
/// Metric columns of metrics.csv (auroc_px ... f1_sp).
const METRIC_COLUMNS: usize = 9;

/// Writes the standard 2 x 2 spec into `dir` with its output at `dir/out`.
fn standard_spec(dir: &Path) -> (PathBuf, PathBuf) {
    let out = dir.join("out");
    let spec = write_text(dir, "sweep.yaml", &fixture_sweep_yaml(&out, &[BACKBONE], &K_SHOTS, &SEEDS));
    (spec, out)
}

/// One uninterrupted run of the standard spec, shared by the tests that compare against it.
/// It lives under Cargo's per-target temporary folder and is replaced on every test run.
fn reference_sweep() -> &'static (PathBuf, String) {
    static REFERENCE: OnceLock<(PathBuf, String)> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep_e2e_reference");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (spec, out) = standard_spec(&dir);
        let output = dictas(&["sweep", s(&spec)]);
        ok(&output);
        (out, String::from_utf8_lossy(&output.stderr).into_owned())
    })
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn cell_json(out: &Path, id: &str) -> serde_json::Value {
    serde_json::from_slice(&read(&out.join("cells").join(id).join("cell.json"))).unwrap()
}

/// The summary line `sweep: N cells, D already done, R run` as (N, D, R).
fn sweep_counts(stderr: &str) -> (usize, usize, usize) {
    let line = stderr.lines().find(|l| l.starts_with("sweep: ")).unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    let numbers: Vec<usize> = line
        .trim_start_matches("sweep: ")
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .take(3)
        .map(|t| t.parse().unwrap())
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

/// Asserts that every finished cell of `a` and `b` is the same set with byte-identical
/// metrics.csv.
fn assert_same_cell_metrics(a: &Path, b: &Path) {
    let ids = cell_ids(a);
    assert_eq!(ids, cell_ids(b), "cells of {} and {}", a.display(), b.display());
    for id in &ids {
        let file = |root: &Path| read(&root.join("cells").join(id).join("metrics.csv"));
        assert!(file(a) == file(b), "metrics.csv of {id} differs between {} and {}", a.display(), b.display());
    }
}

fn paper_table(out: &Path) -> String {
    String::from_utf8(read(&out.join("report/paper_table.md"))).unwrap()
}

/// Every file under `dir` with its inode, modification time and content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime, Vec<u8>)> {
    use std::os::unix::fs::MetadataExt;
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path.clone());
            }
            let content = if meta.is_file() { read(&path) } else { Vec::new() };
            files.insert(path, (meta.ino(), meta.modified().unwrap(), content));
        }
    }
    files
}

/// Mean, sample standard deviation and values over seeds of `metric` in the `mean` row of
/// the cells with `k` shots.
fn seed_mean_and_std(out: &Path, ids: &[String], k: u64, metric: &str) -> (f64, f64, Vec<f64>) {
    let values: Vec<f64> = ids
        .iter()
        .filter(|id| cell_json(out, id)["k_shot"] == k)
        .map(|id| {
            let metrics = read_csv(&out.join("cells").join(id).join("metrics.csv"));
            metrics.iter().find(|r| r["class"] == "mean").unwrap()[metric].parse().unwrap()
        })
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, std, values)
}

#[test]
fn sweep_writes_every_cell_and_the_report() {
    let (out, stderr) = reference_sweep();
    assert_eq!(sweep_counts(stderr), (4, 0, 4), "{stderr}");
    let ids = cell_ids(out);
    assert_eq!(ids.len(), 4, "{ids:?}");
    let mut axes = Vec::new();
    let mut long_rows_expected = 0;
    for id in &ids {
        let cell = out.join("cells").join(id);
        let info = cell_json(out, id);
        let k = info["k_shot"].as_u64().unwrap() as usize;
        axes.push((k, info["seed"].as_u64().unwrap()));
        assert_eq!(info["support_mode"], "random");
        for file in ["metrics.csv", "images.csv", "cell.json", "manifest.json", &format!("supports_{k}-shot.txt")] {
            assert!(cell.join(file).is_file(), "{id}: {file} missing");
        }
        let metrics = read_csv(&cell.join("metrics.csv"));
        assert_eq!(metrics.len(), METRIC_ROWS, "{id}");
        assert_eq!(metrics[0].len(), METRIC_COLUMNS + 1, "{id}");
        long_rows_expected += metrics.len() * (metrics[0].len() - 1);
        // k normal training images of each of the two classes.
        let supports = String::from_utf8(read(&cell.join(format!("supports_{k}-shot.txt")))).unwrap();
        let lines: Vec<&str> = supports.lines().collect();
        assert_eq!(lines.len(), 2 * k, "{id}: {supports}");
        assert!(lines.iter().all(|l| l.contains("/train/good/")), "{id}: {supports}");
    }
    axes.sort();
    assert_eq!(axes, vec![(1, 1), (1, 2), (2, 1), (2, 2)]);
    assert_eq!(long_rows_expected, 4 * METRIC_ROWS * METRIC_COLUMNS);

    let report = out.join("report");
    assert!(report.join("paper_table.tex").is_file());
    // long.csv: one row per (cell, class, metric), each value the one in that cell's metrics.csv.
    let long = read_csv(&report.join("long.csv"));
    assert_eq!(long.len(), long_rows_expected);
    for row in &long {
        let metrics = read_csv(&out.join("cells").join(&row["cell_id"]).join("metrics.csv"));
        let class_row = metrics.iter().find(|r| r["class"] == row["class"]).unwrap();
        let expected: f64 = class_row[&row["metric"]].parse().unwrap();
        assert_eq!(row["value"].parse::<f64>().unwrap(), expected, "{row:?}");
    }
    // seed_stats.csv: per k-shot and metric, the statistics of the two seeds' `mean` rows.
    let seed_stats = read_csv(&report.join("seed_stats.csv"));
    assert_eq!(seed_stats.len(), K_SHOTS.len() * METRIC_COLUMNS);
    for row in &seed_stats {
        let (mean, std, values) = seed_mean_and_std(out, &ids, row["k_shot"].parse().unwrap(), &row["metric"]);
        let close = |column: &str, expected: f64| {
            let got: f64 = row[column].parse().unwrap();
            assert!((got - expected).abs() <= 1e-12, "{column} of {row:?}: expected {expected}");
        };
        close("mean", mean);
        close("std", std);
        close("min", values.iter().copied().fold(f64::INFINITY, f64::min));
        close("max", values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        assert_eq!(row["n"], "2");
    }
    // The paper table shows the 1-shot pixel AUROC as mean ± std in percent.
    let table = paper_table(out);
    let (mean, std, _) = seed_mean_and_std(out, &ids, 1, "auroc_px");
    let entry = format!("{:.1} ± {:.1}", mean * 100.0, std * 100.0);
    assert!(table.contains("MVTec-AD") && table.contains(&entry), "{entry} not in\n{table}");
    let pngs: Vec<PathBuf> = std::fs::read_dir(report.join("plots"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert!(!pngs.is_empty(), "no PNG plot in {}", report.join("plots").display());
    assert!(read(&pngs[0]).starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", pngs[0].display());
}

#[test]
fn rerun_finds_every_cell_done_and_touches_none() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, out) = standard_spec(dir.path());
    let listing = ok(&dictas(&["sweep", s(&spec), "--dry-run"]));
    assert_eq!(listing.lines().filter(|l| l.starts_with("pending")).count(), 4, "{listing}");
    assert!(!out.exists(), "a dry run must create nothing");
    ok(&dictas(&["sweep", s(&spec), "--no-report"]));
    let before = snapshot(&out.join("cells"));
    let rerun = dictas(&["sweep", s(&spec)]);
    ok(&rerun);
    let stderr = String::from_utf8_lossy(&rerun.stderr);
    assert!(stderr.contains("sweep: 4 cells, 4 already done, 0 run"), "{stderr}");
    let after = snapshot(&out.join("cells"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (path, was) in &before {
        assert!(after[path] == *was, "{} was rewritten by the rerun", path.display());
    }
    // The rerun still writes the report from the finished cells.
    assert!(out.join("report/paper_table.md").is_file());
    // A dry run lists every cell as done.
    let listing = ok(&dictas(&["sweep", s(&spec), "--dry-run"]));
    assert_eq!(listing.lines().filter(|l| l.starts_with("done")).count(), 4, "{listing}");
}

/// A run killed part-way (SIGKILL: no cleanup) and run again ends with the same cells and
/// tables as an uninterrupted run. Two backbones (the same CLIP as TorchScript and as a state
/// dict) make two groups, so the kill, sent as soon as the first cells are in place, usually
/// lands while the second group is being scored; if the run finished first the comparison
/// still holds.
#[test]
fn killed_sweep_resumes_to_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let backbones = [("clip-jit", "clip-jit.pt"), ("clip-state", "clip-state.pt")];
    let whole = dir.path().join("whole");
    let killed = dir.path().join("killed");
    std::fs::create_dir_all(&whole).unwrap();
    std::fs::create_dir_all(&killed).unwrap();
    let spec_for = |folder: &Path| {
        write_text(folder, "sweep.yaml", &fixture_sweep_yaml(&folder.join("out"), &backbones, &[2], &SEEDS))
    };
    let whole_spec = spec_for(&whole);
    let killed_spec = spec_for(&killed);
    ok(&dictas(&["sweep", s(&whole_spec)]));

    let killed_out = killed.join("out");
    let mut child = spawn_dictas(&["sweep", s(&killed_spec)]);
    let deadline = Instant::now() + Duration::from_secs(600);
    let finished_alone = loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the sweep failed before it was killed: {status}");
            break true;
        }
        let some_cell_done = killed_out.join("cells").is_dir() && !cell_ids(&killed_out).is_empty();
        if some_cell_done || Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if !finished_alone {
        child.kill().unwrap();
    }
    // Reaped, so its pid no longer names a live process.
    child.wait().unwrap();

    let resumed = dictas(&["sweep", s(&killed_spec)]);
    ok(&resumed);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    let (total, done, ran) = sweep_counts(&stderr);
    assert_eq!((total, done + ran), (4, 4), "{stderr}");
    eprintln!("killed run: finished before the kill: {finished_alone}; resumed with {done} done, {ran} run");
    assert!(leftover_staging(&killed_out).is_empty(), "staging left: {:?}", leftover_staging(&killed_out));
    assert_same_cell_metrics(&whole.join("out"), &killed_out);
    assert_eq!(paper_table(&whole.join("out")), paper_table(&killed_out));
}

/// Shards 1/2 and 2/2, run at the same time into one folder, make up the full run.
#[test]
fn two_shards_in_one_folder_equal_one_full_run() {
    let (reference, _) = reference_sweep();
    let dir = tempfile::tempdir().unwrap();
    let (spec, out) = standard_spec(dir.path());
    let shard = |which: &'static str| {
        let spec = spec.clone();
        std::thread::spawn(move || dictas(&["sweep", s(&spec), "--shard", which, "--no-report"]))
    };
    let (first, second) = (shard("1/2"), shard("2/2"));
    for output in [first.join().unwrap(), second.join().unwrap()] {
        ok(&output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(sweep_counts(&stderr), (2, 0, 2), "{stderr}");
    }
    assert!(leftover_staging(&out).is_empty(), "{:?}", leftover_staging(&out));
    assert_same_cell_metrics(reference, &out);
    // The full spec on the shared folder has nothing left to run and reports all four cells.
    let full = dictas(&["sweep", s(&spec)]);
    ok(&full);
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert!(stderr.contains("sweep: 4 cells, 4 already done, 0 run"), "{stderr}");
    assert_eq!(paper_table(reference), paper_table(&out));
}

/// A random-support cell, rerun by `dictas eval` from the support list it recorded, gives the
/// same metrics.csv byte for byte.
#[test]
fn recorded_random_supports_reproduce_the_cell() {
    let (reference, _) = reference_sweep();
    let fx = fixture();
    let id = cell_ids(reference)
        .into_iter()
        .find(|id| cell_json(reference, id)["k_shot"] == 2 && cell_json(reference, id)["seed"] == 2)
        .expect("the k = 2, seed 2 cell");
    let cell = reference.join("cells").join(&id);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eval");
    ok(&dictas(&[
        "eval",
        "--data", s(&fx.join("data")),
        "--dataset", "mvtec",
        "--clip", s(&fx.join(BACKBONE.1)),
        "--checkpoint", s(&fx.join("dictas.pth")),
        "--k-shot", "2",
        "--supports", s(&cell.join("supports_2-shot.txt")),
        "--image-size", "224",
        "--device", "cpu",
        "--out", s(&out),
    ]));
    assert_eq!(
        String::from_utf8(read(&out.join("metrics.csv"))).unwrap(),
        String::from_utf8(read(&cell.join("metrics.csv"))).unwrap()
    );
    assert_eq!(
        String::from_utf8(read(&out.join("images.csv"))).unwrap(),
        String::from_utf8(read(&cell.join("images.csv"))).unwrap()
    );
}

/// Runs a spec that must be rejected; checks that nothing was created and returns stderr.
fn sweep_rejects(dir: &Path, yaml: &str) -> String {
    let spec = write_text(dir, "bad.yaml", yaml);
    let err = fails(&dictas(&["sweep", s(&spec)]));
    assert!(err.contains(s(&spec)), "the message must name the spec file:\n{err}");
    assert!(!dir.join("out").exists(), "a rejected spec must create no output folder");
    err
}

/// The standard spec's lines with `line` (1-based) replaced by `replacement`.
fn standard_yaml_with(dir: &Path, line: usize, replacement: &str) -> String {
    let yaml = fixture_sweep_yaml(&dir.join("out"), &[BACKBONE], &K_SHOTS, &SEEDS);
    let mut lines: Vec<String> = yaml.lines().map(str::to_string).collect();
    lines[line - 1] = replacement.to_string();
    lines.join("\n") + "\n"
}

#[test]
fn malformed_specs_name_the_line_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = fixture_sweep_yaml(&dir.path().join("out"), &[BACKBONE], &K_SHOTS, &SEEDS);
    assert_eq!(yaml.lines().nth(3), Some("datasets: [mvtec]"), "line 4 of the spec:\n{yaml}");

    // An unknown key inserted as line 5.
    let mut lines: Vec<&str> = yaml.lines().collect();
    lines.insert(4, "colour: blue");
    let err = sweep_rejects(dir.path(), &(lines.join("\n") + "\n"));
    assert!(err.contains("colour") && err.contains("line 5"), "{err}");

    // A k-shot that is not a number, on the k_shots line.
    let k_line = yaml.lines().position(|l| l.starts_with("k_shots:")).unwrap() + 1;
    let err = sweep_rejects(dir.path(), &standard_yaml_with(dir.path(), k_line, "k_shots: [a]"));
    assert!(err.contains("k_shots") && err.contains(&format!("line {k_line}")), "{err}");

    // A misspelt key inside a dataset entry must not be ignored (it would sweep every class).
    let err = sweep_rejects(dir.path(), &standard_yaml_with(dir.path(), 4, "datasets: [{name: mvtec, clases: [wood]}]"));
    assert!(err.contains("line 4"), "{err}");

    // A missing checkpoint is reported, with its path, before anything runs.
    let missing = dir.path().join("no-such-dictas.pth");
    let checkpoint_line = yaml.lines().position(|l| l.trim_start().starts_with("checkpoint:")).unwrap() + 1;
    let err = sweep_rejects(
        dir.path(),
        &standard_yaml_with(dir.path(), checkpoint_line, &format!("    checkpoint: {}", yaml_path(&missing))),
    );
    assert!(err.contains(s(&missing)) && err.contains("checkpoint"), "{err}");

    // Method settings are checked too: one of another method, and an impossible value.
    let err = sweep_rejects(
        dir.path(),
        &standard_yaml_with(dir.path(), checkpoint_line, "    settings: {temperature: -1}"),
    );
    assert!(err.contains("method dictas: setting `temperature` applies only to method winclip"), "{err}");
    let err = sweep_rejects(
        dir.path(),
        &standard_yaml_with(dir.path(), checkpoint_line, "  - {name: winclip, settings: {temperature: -1}}"),
    );
    assert!(err.contains("method winclip: WinCLIP temperature is -1"), "{err}");
}

/// Two entries that expand to the same cell id would overwrite each other's results.
#[test]
fn duplicate_cells_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let err = sweep_rejects(
        dir.path(),
        &standard_yaml_with(dir.path(), 4, "datasets: [{name: mvtec, classes: [bottle]}, {name: mvtec, classes: [wood]}]"),
    );
    assert!(err.contains("mvtec__dictas__tiny-clip-224__k1__seed1"), "{err}");
}
