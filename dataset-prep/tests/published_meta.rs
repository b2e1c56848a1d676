//! For every dataset: build a raw tree in the official layout whose classes, defect folders
//! and per-folder counts are read off the published `meta_<dataset>.json`, standardize it,
//! and require the produced meta file to equal the published one byte for byte (same
//! classes, entries, order and key order), and every published support image to exist.
//!
//! Source names are recovered from the published file names where they are part of them
//! (`{stem}`), else generated so that they sort in id order. Images are 4x4.

mod common;

use common::*;
use dictas_prep::meta::{Meta, MetaEntry};
use dictas_prep::supports::{published_support_list, read_support_list, PUBLISHED_SHOTS};
use dictas_prep::Dataset;
use image::ImageFormat;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One published entry, with the parts of its standardized file name.
struct Parsed<'a> {
    entry: &'a MetaEntry,
    phase: &'static str,
    id: usize,
    /// The name's parts between the dataset prefix and the id.
    parts: Vec<&'a str>,
}

impl Parsed<'_> {
    fn class(&self) -> &str {
        &self.entry.cls_name
    }
    fn is_anomaly(&self) -> bool {
        self.entry.anomaly == 1
    }
    fn kind(&self) -> Kind {
        match (self.phase, self.is_anomaly()) {
            ("train", _) => Kind::Train,
            (_, false) => Kind::Good,
            (_, true) => Kind::Anomaly,
        }
    }
    /// Defect folder of a test anomaly whose name ends with a stem: all parts but the last.
    fn defect_before_stem(&self) -> String {
        self.parts[..self.parts.len() - 1].join("_")
    }
    fn last(&self) -> &str {
        self.parts.last().unwrap()
    }
    fn joined(&self) -> String {
        self.parts.join("_")
    }
}

/// Published entries in id order (the order the reference converted them).
fn parse_in_id_order(meta: &Meta) -> Vec<Parsed<'_>> {
    let mut parsed = Vec::new();
    for (phase, classes) in [("train", &meta.train), ("test", &meta.test)] {
        for entry in classes.values().flatten() {
            let file = entry.img_path.rsplit('/').next().unwrap().strip_suffix(".bmp").unwrap();
            let parts: Vec<&str> = file.split('_').collect();
            let id = parts.last().unwrap().parse().unwrap();
            parsed.push(Parsed {
                entry,
                phase,
                id,
                parts: parts[1..parts.len() - 1].to_vec(),
            });
        }
    }
    parsed.sort_by_key(|p| p.id);
    assert!(
        parsed.iter().enumerate().all(|(i, p)| p.id == i),
        "published ids are 0..n"
    );
    parsed
}

/// Where one published entry's source image (and mask) go in the raw tree.
struct RawFile {
    image: PathBuf,
    mask: Option<PathBuf>,
}

impl RawFile {
    fn image(image: PathBuf) -> RawFile {
        RawFile { image, mask: None }
    }
    fn with_mask(image: PathBuf, mask: PathBuf) -> RawFile {
        RawFile {
            image,
            mask: Some(mask),
        }
    }
}

/// What a published entry is.
enum Kind {
    Train,
    Good,
    Anomaly,
}

/// Builds the raw tree: `layout` maps an entry (and its 0-based position among the entries
/// of the same source folder, in id order) to source paths; every file gets the same tiny
/// content (`image_bytes`/`mask_bytes` chosen by extension).
fn build_raw(
    src: &Path,
    parsed: &[Parsed],
    layout: impl Fn(&Parsed, usize) -> RawFile,
    image_bytes: &dyn Fn(&Path) -> Vec<u8>,
) {
    let mask_png = encode(mask(4, 4), ImageFormat::Png);
    let mut positions: HashMap<(String, &str, String), usize> = HashMap::new();
    let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
    for p in parsed {
        let folder_key = (
            p.class().to_string(),
            p.phase,
            p.entry.specie_name.clone() + &p.parts.join("_"),
        );
        let position = positions.entry(folder_key).or_insert(0);
        let raw = layout(p, *position);
        *position += 1;
        let extension = raw.image.extension().unwrap().to_string_lossy().into_owned();
        let bytes = contents.entry(extension).or_insert_with(|| image_bytes(&raw.image));
        assert!(
            !src.join(&raw.image).exists(),
            "two entries map to {}",
            raw.image.display()
        );
        write(&src.join(&raw.image), bytes);
        if let Some(mask_path) = raw.mask {
            let bytes = if mask_path.extension().unwrap() == "bmp" {
                image_bytes(&mask_path)
            } else {
                mask_png.clone()
            };
            write(&src.join(mask_path), &bytes);
        }
    }
}

fn png_bytes(_: &Path) -> Vec<u8> {
    encode(rgb(4, 4), ImageFormat::Png)
}

/// Standardizes `src` and compares with the published meta file and support lists.
fn assert_reproduces_published(dataset: Dataset, src: &Path, out: &Path) {
    let summary = prep(dataset, src, out).unwrap();
    let published = fs::read(published_meta_path(dataset.name())).unwrap();
    let produced = fs::read(&summary.meta_path).unwrap();
    if produced != published {
        let produced: serde_json::Value = serde_json::from_slice(&produced).unwrap();
        let published: serde_json::Value = serde_json::from_slice(&published).unwrap();
        assert_eq!(produced, published, "{dataset}: meta content differs");
        panic!("{dataset}: same content but different bytes (formatting or key order)");
    }
    for k in PUBLISHED_SHOTS {
        let list = published_support_list(&experiments_dir(), dataset.name(), k);
        if !list.exists() {
            continue; // VOC and Ade are training sets without support lists.
        }
        let supports = read_support_list(&list).unwrap();
        assert!(!supports.is_empty());
        for path in supports {
            assert!(
                out.join(&path).is_file(),
                "{dataset} k={k}: support {path} not produced"
            );
        }
    }
}

fn published(dataset: Dataset) -> Meta {
    let text = fs::read_to_string(published_meta_path(dataset.name())).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The whole check for one dataset: raw tree from `layout` (then `finish`, for files that
/// are not per entry), standardization, comparison.
fn reproduce(
    dataset: Dataset,
    layout: impl Fn(&Parsed, usize) -> RawFile,
    image_bytes: &dyn Fn(&Path) -> Vec<u8>,
    finish: impl FnOnce(&Path, &[Parsed]),
) {
    let meta = published(dataset);
    let parsed = parse_in_id_order(&meta);
    let work = scratch();
    let src = work.path().join("raw");
    build_raw(&src, &parsed, layout, image_bytes);
    finish(&src, &parsed);
    assert_reproduces_published(dataset, &src, &work.path().join("out"));
}

fn nothing_more(_: &Path, _: &[Parsed]) {}

fn jpeg_bytes(_: &Path) -> Vec<u8> {
    encode(rgb(4, 4), ImageFormat::Jpeg)
}

#[test]
fn mvtec_reproduces_published_meta() {
    let layout = |p: &Parsed, i: usize| {
        let c = Path::new(p.class());
        match p.kind() {
            Kind::Train => RawFile::image(c.join(format!("train/good/{i:03}.png"))),
            Kind::Good => RawFile::image(c.join(format!("test/good/{i:03}.png"))),
            Kind::Anomaly => RawFile::with_mask(
                c.join(format!("test/{}/{i:03}.png", p.joined())),
                c.join(format!("ground_truth/{}/{i:03}_mask.png", p.joined())),
            ),
        }
    };
    reproduce(Dataset::Mvtec, layout, &png_bytes, nothing_more);
}

/// VisA: images and masks reached through `split_csv/1cls.csv`, rows in id order.
#[test]
fn visa_reproduces_published_meta_from_its_split_csv() {
    let image = |p: &Parsed| {
        let folder = if p.is_anomaly() { "Anomaly" } else { "Normal" };
        format!("{}/Data/Images/{folder}/{}.JPG", p.class(), p.joined())
    };
    let mask = |p: &Parsed| format!("{}/Data/Masks/Anomaly/{}.png", p.class(), p.joined());
    let layout = |p: &Parsed, _| RawFile {
        image: image(p).into(),
        mask: p.is_anomaly().then(|| mask(p).into()),
    };
    let write_csv = |src: &Path, parsed: &[Parsed]| {
        let mut csv = String::from("object,split,label,image,mask\n");
        for p in parsed {
            let (label, mask) = if p.is_anomaly() {
                ("anomaly", mask(p))
            } else {
                ("normal", String::new())
            };
            csv.push_str(&format!("{},{},{label},{},{mask}\n", p.class(), p.phase, image(p)));
        }
        write(&src.join("split_csv/1cls.csv"), csv.as_bytes());
    };
    reproduce(Dataset::Visa, layout, &jpeg_bytes, write_csv);
}

/// MPDD names carry the source stem: `MPDD_{stem}`, `MPDD_good_{stem}`, `MPDD_{defect}_{stem}`.
#[test]
fn mpdd_reproduces_published_meta() {
    let layout = |p: &Parsed, _| {
        let (c, stem) = (Path::new(p.class()), p.last());
        match p.kind() {
            Kind::Train => RawFile::image(c.join(format!("train/good/{stem}.png"))),
            Kind::Good => RawFile::image(c.join(format!("test/good/{stem}.png"))),
            Kind::Anomaly => RawFile::with_mask(
                c.join(format!("test/{}/{stem}.png", p.defect_before_stem())),
                c.join(format!("ground_truth/{}/{stem}_mask.png", p.defect_before_stem())),
            ),
        }
    };
    reproduce(Dataset::Mpdd, layout, &png_bytes, nothing_more);
}

/// BTAD: folders 01/02/03, `ok` and `ko`, .bmp in 01 and 03 (masks of 03 too), .png in 02.
#[test]
fn btad_reproduces_published_meta() {
    let layout = |p: &Parsed, _| {
        let folder = match p.class() {
            "metal1" => "01",
            "wood" => "02",
            "metal2" => "03",
            other => panic!("unexpected BTAD class {other}"),
        };
        let extension = if folder == "02" { "png" } else { "bmp" };
        let mask_extension = if folder == "03" { "bmp" } else { "png" };
        let (c, stem) = (Path::new(folder), p.last());
        match p.kind() {
            Kind::Train => RawFile::image(c.join(format!("train/ok/{stem}.{extension}"))),
            Kind::Good => RawFile::image(c.join(format!("test/ok/{stem}.{extension}"))),
            Kind::Anomaly => RawFile::with_mask(
                c.join(format!("test/ko/{stem}.{extension}")),
                c.join(format!("ground_truth/ko/{stem}.{mask_extension}")),
            ),
        }
    };
    let bytes = |path: &Path| match path.extension().unwrap().to_str() {
        Some("bmp") => encode(rgb(4, 4), ImageFormat::Bmp),
        _ => png_bytes(path),
    };
    reproduce(Dataset::Btad, layout, &bytes, nothing_more);
}

/// mvtec3D: RGB images under `rgb/`, masks under the defect's `gt/`; published class key
/// order is not the conversion order.
#[test]
fn mvtec3d_reproduces_published_meta() {
    let layout = |p: &Parsed, i: usize| {
        let c = Path::new(p.class());
        match p.kind() {
            Kind::Train => RawFile::image(c.join(format!("train/good/rgb/{i:03}.png"))),
            Kind::Good => RawFile::image(c.join(format!("test/good/rgb/{}.png", p.last()))),
            Kind::Anomaly => {
                let defect_dir = c.join("test").join(p.defect_before_stem());
                RawFile::with_mask(
                    defect_dir.join(format!("rgb/{}.png", p.last())),
                    defect_dir.join(format!("gt/{}.png", p.last())),
                )
            }
        }
    };
    reproduce(Dataset::Mvtec3d, layout, &png_bytes, nothing_more);
}

/// The RESC and BraTS layouts: `<class>/{train,test}/<folder>/*.png`, masks in
/// `ground_truth/<defect>/` named by `mask_name`.
fn medical_layout(mask_name: fn(&str) -> String, stem_suffix: &'static str) -> impl Fn(&Parsed, usize) -> RawFile {
    move |p, i| {
        let c = Path::new(p.class());
        let file = format!("{i:05}{stem_suffix}.png");
        match p.kind() {
            Kind::Train => RawFile::image(c.join("train/good").join(&file)),
            Kind::Good => RawFile::image(c.join("test/good").join(&file)),
            Kind::Anomaly => RawFile::with_mask(
                c.join("test").join(p.joined()).join(&file),
                c.join("ground_truth").join(p.joined()).join(mask_name(&file)),
            ),
        }
    }
}

#[test]
fn resc_reproduces_published_meta() {
    reproduce(
        Dataset::Resc,
        medical_layout(|file| file.to_string(), ""),
        &png_bytes,
        nothing_more,
    );
}

#[test]
fn brats_reproduces_published_meta_with_flair_to_seg_masks() {
    let layout = medical_layout(|file| file.replace("flair", "seg"), "_flair");
    reproduce(Dataset::Brats, layout, &png_bytes, nothing_more);
}

/// VOC and Ade: training images only (`object/train/good/*.jpg`), named `Ade_{stem}`.
fn assert_training_set_reproduced(dataset: Dataset) {
    let layout = |p: &Parsed, _| {
        assert!(matches!(p.kind(), Kind::Train));
        RawFile::image(format!("object/train/good/{}.jpg", p.joined()).into())
    };
    // The published sources had a test folder without defect folders.
    let test_folder = |src: &Path, _: &[Parsed]| fs::create_dir_all(src.join("object/test/good")).unwrap();
    reproduce(dataset, layout, &jpeg_bytes, test_folder);
}

#[test]
fn voc_reproduces_published_meta() {
    assert_training_set_reproduced(Dataset::Voc);
}

#[test]
fn ade_reproduces_published_meta() {
    assert_training_set_reproduced(Dataset::Ade);
}
