//! The datasets `prep` knows: their names, class orders, file-name styles and mask rules.

use anyhow::{bail, Result};
use std::fmt;

/// A dataset with a standardization rule (SPEC section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    Mvtec,
    Visa,
    Mpdd,
    Btad,
    Mvtec3d,
    Resc,
    Brats,
    Voc,
    Ade,
}

/// How a mask value becomes 0 or 255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskRule {
    /// value > 128 -> 255, else 0.
    Above128,
    /// value > 0 -> 255, else 0.
    NonZero,
}

impl MaskRule {
    pub fn binarize(self, value: u8) -> u8 {
        let foreground = match self {
            MaskRule::Above128 => value > 128,
            MaskRule::NonZero => value > 0,
        };
        if foreground {
            255
        } else {
            0
        }
    }
}

/// Which parts make up a standardized file name `<prefix>[_<tag>][_<stem>]_<id>`.
/// The tag is `good` for normal test images and the defect folder for anomalies.
#[derive(Debug, Clone, Copy)]
pub struct NameStyle {
    pub prefix: &'static str,
    pub tag_in_test: bool,
    pub stem_in_train: bool,
    pub stem_in_test_good: bool,
    pub stem_in_test_anomaly: bool,
}

/// Every dataset `prep` accepts, in the spelling it expects.
pub const ALL: [Dataset; 9] = [
    Dataset::Mvtec,
    Dataset::Visa,
    Dataset::Mpdd,
    Dataset::Btad,
    Dataset::Mvtec3d,
    Dataset::Resc,
    Dataset::Brats,
    Dataset::Voc,
    Dataset::Ade,
];

impl Dataset {
    /// Matches a name exactly as the meta files spell it (`mvtec`, `MPDD`, `mvtec3D`, ...).
    pub fn from_name(name: &str) -> Result<Dataset> {
        match ALL.iter().find(|d| d.name() == name) {
            Some(dataset) => Ok(*dataset),
            None => bail!("unknown dataset '{name}'; valid names: {}", valid_names().join(", ")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dataset::Mvtec => "mvtec",
            Dataset::Visa => "visa",
            Dataset::Mpdd => "MPDD",
            Dataset::Btad => "BTAD",
            Dataset::Mvtec3d => "mvtec3D",
            Dataset::Resc => "RESC",
            Dataset::Brats => "BrasTS",
            Dataset::Voc => "VOC",
            Dataset::Ade => "Ade",
        }
    }

    /// Classes in the order the `id` counter visits them (SPEC table).
    pub fn conversion_classes(self) -> &'static [&'static str] {
        match self {
            Dataset::Mvtec => &MVTEC_CLASSES,
            Dataset::Visa => &VISA_CLASSES,
            Dataset::Mpdd => &[
                "bracket_black",
                "bracket_brown",
                "bracket_white",
                "connector",
                "metal_plate",
                "tubes",
            ],
            Dataset::Btad => &["metal1", "wood", "metal2"],
            Dataset::Mvtec3d => &[
                "bagel",
                "cable_gland",
                "carrot",
                "cookie",
                "dowel",
                "foam",
                "peach",
                "potato",
                "rope",
                "tire",
            ],
            Dataset::Resc => &["retina"],
            Dataset::Brats => &["brain"],
            Dataset::Voc | Dataset::Ade => &["object"],
        }
    }

    /// Class key order of the published `meta_<dataset>.json`. For mvtec and visa the
    /// reference's meta writer used a fixed list; for the others it used the directory
    /// listing order of the machine that built the files, which no rule reproduces, so
    /// that order is recorded here as data (read off the published files).
    pub fn meta_classes(self) -> &'static [&'static str] {
        match self {
            Dataset::Mpdd => &[
                "bracket_white",
                "connector",
                "bracket_brown",
                "tubes",
                "metal_plate",
                "bracket_black",
            ],
            Dataset::Mvtec3d => &[
                "dowel",
                "cable_gland",
                "peach",
                "carrot",
                "rope",
                "potato",
                "foam",
                "tire",
                "cookie",
                "bagel",
            ],
            other => other.conversion_classes(),
        }
    }

    pub fn mask_rule(self) -> MaskRule {
        match self {
            Dataset::Visa | Dataset::Resc => MaskRule::NonZero,
            _ => MaskRule::Above128,
        }
    }

    pub fn name_style(self) -> NameStyle {
        let bare = |prefix| NameStyle {
            prefix,
            tag_in_test: true,
            stem_in_train: false,
            stem_in_test_good: false,
            stem_in_test_anomaly: false,
        };
        let with_stems = |prefix| NameStyle {
            prefix,
            tag_in_test: true,
            stem_in_train: true,
            stem_in_test_good: true,
            stem_in_test_anomaly: true,
        };
        match self {
            Dataset::Mvtec => bare("mvtec"),
            Dataset::Resc => bare("RESC"),
            Dataset::Brats => bare("BrasTS"),
            Dataset::Mvtec3d => NameStyle {
                stem_in_train: false,
                ..with_stems("mvtec3D")
            },
            Dataset::Mpdd => with_stems("MPDD"),
            Dataset::Btad => with_stems("BTAD"),
            // The reference converted VOC with its Ade converter, so VOC files are named
            // `Ade_...` too (and the published meta_VOC.json says dataset_name "Ade").
            Dataset::Voc | Dataset::Ade => with_stems("Ade"),
            Dataset::Visa => NameStyle {
                tag_in_test: false,
                ..with_stems("visa")
            },
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub fn valid_names() -> Vec<&'static str> {
    ALL.iter().map(|d| d.name()).collect()
}

pub const MVTEC_CLASSES: [&str; 15] = [
    "bottle",
    "cable",
    "capsule",
    "carpet",
    "grid",
    "hazelnut",
    "leather",
    "metal_nut",
    "pill",
    "screw",
    "tile",
    "toothbrush",
    "transistor",
    "wood",
    "zipper",
];

pub const VISA_CLASSES: [&str; 12] = [
    "candle",
    "capsules",
    "cashew",
    "chewinggum",
    "fryum",
    "macaroni1",
    "macaroni2",
    "pcb1",
    "pcb2",
    "pcb3",
    "pcb4",
    "pipe_fryum",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_valid_ones() {
        for dataset in ALL {
            assert_eq!(Dataset::from_name(dataset.name()).unwrap(), dataset);
        }
        let message = Dataset::from_name("MVTec").unwrap_err().to_string();
        assert!(message.contains("unknown dataset 'MVTec'"), "{message}");
        assert!(
            message.contains("mvtec, visa, MPDD, BTAD, mvtec3D, RESC, BrasTS, VOC, Ade"),
            "{message}"
        );
    }

    #[test]
    fn meta_order_is_a_permutation_of_the_conversion_order() {
        for dataset in ALL {
            let mut a = dataset.conversion_classes().to_vec();
            let mut b = dataset.meta_classes().to_vec();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{dataset}");
        }
    }
}
