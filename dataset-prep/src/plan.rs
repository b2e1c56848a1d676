//! The conversion plan: every (source, destination) pair, with ids assigned in order
//! before any pixel is touched, so parallel conversion cannot change the names.

use crate::dataset::{Dataset, NameStyle};
use std::path::{Path, PathBuf};

/// One image to convert, and its mask when it is an anomaly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub source: PathBuf,
    /// Relative to the dataset's output folder, e.g. `bottle/train/good/mvtec_000000.bmp`.
    pub dest: PathBuf,
    pub mask: Option<MaskJob>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskJob {
    pub source: PathBuf,
    /// Relative to the dataset's output folder, e.g. `bottle/ground_truth/anomaly/....png`.
    pub dest: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub dataset: Dataset,
    /// Standardized class names, in conversion order.
    pub classes: Vec<String>,
    pub jobs: Vec<Job>,
}

/// Assigns the global `id` counter in call order and builds destination names.
#[derive(Debug)]
pub struct PlanBuilder {
    dataset: Dataset,
    style: NameStyle,
    next_id: usize,
    classes: Vec<String>,
    jobs: Vec<Job>,
}

/// The part of a source file name before its first '.'.
pub fn source_stem(file_name: &str) -> &str {
    file_name.split('.').next().unwrap_or(file_name)
}

impl PlanBuilder {
    pub fn new(dataset: Dataset) -> PlanBuilder {
        PlanBuilder {
            dataset,
            style: dataset.name_style(),
            next_id: 0,
            classes: Vec::new(),
            jobs: Vec::new(),
        }
    }

    /// Registers a class; its output folders exist even when it gets no images.
    pub fn add_class(&mut self, class: &str) {
        self.classes.push(class.to_string());
    }

    pub fn add_train(&mut self, class: &str, source: &Path, file_name: &str) {
        let stem = self.style.stem_in_train.then(|| source_stem(file_name));
        let name = self.file_name(None, stem);
        self.push(
            source,
            Path::new(class).join("train/good").join(format!("{name}.bmp")),
            None,
        );
    }

    pub fn add_test_good(&mut self, class: &str, source: &Path, file_name: &str) {
        let stem = self.style.stem_in_test_good.then(|| source_stem(file_name));
        let name = self.file_name(Some("good"), stem);
        self.push(
            source,
            Path::new(class).join("test/good").join(format!("{name}.bmp")),
            None,
        );
    }

    pub fn add_test_anomaly(&mut self, class: &str, defect: &str, source: &Path, file_name: &str, mask: &Path) {
        let stem = self.style.stem_in_test_anomaly.then(|| source_stem(file_name));
        let name = self.file_name(Some(defect), stem);
        let mask = MaskJob {
            source: mask.to_path_buf(),
            dest: Path::new(class)
                .join("ground_truth/anomaly")
                .join(format!("{name}.png")),
        };
        self.push(
            source,
            Path::new(class).join("test/anomaly").join(format!("{name}.bmp")),
            Some(mask),
        );
    }

    pub fn finish(self) -> Plan {
        Plan {
            dataset: self.dataset,
            classes: self.classes,
            jobs: self.jobs,
        }
    }

    /// `<prefix>[_<tag>][_<stem>]_<id:06>` for the id about to be assigned.
    fn file_name(&self, tag: Option<&str>, stem: Option<&str>) -> String {
        let mut name = self.style.prefix.to_string();
        for part in [tag.filter(|_| self.style.tag_in_test), stem].into_iter().flatten() {
            name.push('_');
            name.push_str(part);
        }
        format!("{name}_{:06}", self.next_id)
    }

    fn push(&mut self, source: &Path, dest: PathBuf, mask: Option<MaskJob>) {
        self.jobs.push(Job {
            source: source.to_path_buf(),
            dest,
            mask,
        });
        self.next_id += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest_names(dataset: Dataset) -> Vec<String> {
        let mut builder = PlanBuilder::new(dataset);
        builder.add_train("c", Path::new("/s/0001.a.png"), "0001.a.png");
        builder.add_test_good("c", Path::new("/s/007.png"), "007.png");
        builder.add_test_anomaly("c", "crack", Path::new("/s/012.png"), "012.png", Path::new("/m.png"));
        let plan = builder.finish();
        let mut names: Vec<String> = plan
            .jobs
            .iter()
            .map(|j| j.dest.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.push(plan.jobs[2].mask.as_ref().unwrap().dest.to_string_lossy().into_owned());
        names
    }

    // Expected names typed from the SPEC's naming table.
    #[test]
    fn names_follow_each_dataset_style() {
        assert_eq!(
            dest_names(Dataset::Mvtec),
            [
                "mvtec_000000.bmp",
                "mvtec_good_000001.bmp",
                "mvtec_crack_000002.bmp",
                "c/ground_truth/anomaly/mvtec_crack_000002.png"
            ]
        );
        assert_eq!(
            dest_names(Dataset::Visa),
            [
                "visa_0001_000000.bmp",
                "visa_007_000001.bmp",
                "visa_012_000002.bmp",
                "c/ground_truth/anomaly/visa_012_000002.png"
            ]
        );
        assert_eq!(
            dest_names(Dataset::Mpdd)[..3],
            [
                "MPDD_0001_000000.bmp",
                "MPDD_good_007_000001.bmp",
                "MPDD_crack_012_000002.bmp"
            ]
        );
        assert_eq!(
            dest_names(Dataset::Mvtec3d)[..3],
            [
                "mvtec3D_000000.bmp",
                "mvtec3D_good_007_000001.bmp",
                "mvtec3D_crack_012_000002.bmp"
            ]
        );
        assert_eq!(
            dest_names(Dataset::Brats)[..3],
            ["BrasTS_000000.bmp", "BrasTS_good_000001.bmp", "BrasTS_crack_000002.bmp"]
        );
        assert_eq!(
            dest_names(Dataset::Voc)[..3],
            [
                "Ade_0001_000000.bmp",
                "Ade_good_007_000001.bmp",
                "Ade_crack_012_000002.bmp"
            ]
        );
    }
}
