//! Display names and the paper's ordering of datasets, metrics and methods.

/// Dataset keys (as `cell.json` carries them) in the order the paper lists them, with the
/// names printed in its tables.
const DATASETS: [(&str, &str); 7] = [
    ("mvtec", "MVTec-AD"),
    ("visa", "VisA"),
    ("MPDD", "MPDD"),
    ("BTAD", "BTAD"),
    ("mvtec3D", "MVTec3D-AD"),
    ("RESC", "RESC"),
    ("BrasTS", "BraTS"),
];

/// Metric columns of `metrics.csv` with short table headers. Pixel-level metrics carry no
/// prefix (the paper's tables are pixel-level); image-level ones are marked `I-`.
const METRICS: [(&str, &str); 9] = [
    ("auroc_px", "AUROC"),
    ("aupro_px", "PRO"),
    ("aupro_px_mvtec", "PRO (MVTec)"),
    ("ap_px", "AP"),
    ("f1_px", "F1-max"),
    ("iou_px", "IoU"),
    ("auroc_sp", "I-AUROC"),
    ("ap_sp", "I-AP"),
    ("f1_sp", "I-F1-max"),
];

/// Method keys used by the published figures, with the names the paper prints.
const METHODS: [(&str, &str); 7] = [
    ("winclip", "WinCLIP"),
    ("april-gan", "APRIL-GAN"),
    ("promptad", "PromptAD"),
    ("dictas", "DictAS"),
    ("dictas-max", "DictAS, max lookup"),
    ("dictas-softmax", "DictAS, softmax lookup"),
    ("dictas-sparsemax", "DictAS, sparsemax lookup"),
];

/// The paper's name of a dataset key; unknown datasets keep their key.
pub fn dataset_display(key: &str) -> String {
    lookup(&DATASETS, key).unwrap_or(key).to_string()
}

/// Sort key putting the paper's datasets first, in its order, then others alphabetically.
pub fn dataset_order(key: &str) -> (usize, String) {
    order_in(&DATASETS, key)
}

/// The project key of a dataset named by key or display name, in any case (`brats`, `BraTS`
/// and `BrasTS` all give `BrasTS`); unknown names are returned trimmed.
pub fn dataset_key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    DATASETS
        .iter()
        .find(|(key, display)| key.to_lowercase() == lower || display.to_lowercase() == lower)
        .map_or_else(|| name.trim().to_string(), |(key, _)| key.to_string())
}

/// Whether two dataset names denote the same dataset.
pub fn same_dataset(a: &str, b: &str) -> bool {
    dataset_key(a).to_lowercase() == dataset_key(b).to_lowercase()
}

/// Short header of a metric column; unknown metrics keep their column name.
pub fn metric_display(metric: &str) -> String {
    lookup(&METRICS, metric).unwrap_or(metric).to_string()
}

/// Sort key putting known metrics in `metrics.csv` order, then others alphabetically.
pub fn metric_order(metric: &str) -> (usize, String) {
    order_in(&METRICS, metric)
}

/// Canonical form used to match method names: case-insensitive, `_` and `-` alike.
pub fn method_match_key(name: &str) -> String {
    name.trim().to_lowercase().replace('_', "-")
}

/// The paper's name of a method; unknown methods keep their name.
pub fn method_display(name: &str) -> String {
    let key = method_match_key(name);
    lookup(&METHODS, &key).unwrap_or(name).to_string()
}

/// Position in `table` (unknown keys after all known ones), then the key itself.
fn order_in(table: &[(&str, &str)], key: &str) -> (usize, String) {
    let position = table.iter().position(|(k, _)| *k == key);
    (position.unwrap_or(table.len()), key.to_string())
}

fn lookup<'a>(table: &'a [(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, display)| *display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_use_paper_names_and_order() {
        assert_eq!(dataset_display("BrasTS"), "BraTS");
        assert_eq!(dataset_display("mvtec3D"), "MVTec3D-AD");
        assert_eq!(dataset_display("other"), "other");
        let mut keys = vec!["zeta", "RESC", "mvtec", "alpha", "visa"];
        keys.sort_by_key(|k| dataset_order(k));
        assert_eq!(keys, ["mvtec", "visa", "RESC", "alpha", "zeta"]);
    }

    #[test]
    fn dataset_and_method_matching_is_lenient() {
        assert_eq!(dataset_key("brats"), "BrasTS");
        assert!(same_dataset("MVTec-AD", "mvtec"));
        assert!(same_dataset("Other", "other"));
        assert!(!same_dataset("visa", "mvtec"));
        assert_eq!(method_match_key("April_GAN"), "april-gan");
        assert_eq!(method_display("DictAS_softmax"), "DictAS, softmax lookup");
        assert_eq!(method_display("mine"), "mine");
    }
}
