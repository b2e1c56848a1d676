//! Gathering what the overlay grids of one cell show: saved maps, test images and masks.

use std::path::Path;

use anyhow::Result;

use super::overlays::{
    data_root, map_path, mask_relative_path, read_map, select_for_overlay, OverlayFigure,
    OverlayInput,
};
use crate::cells::{Cell, ImageRecord};
use crate::names::{dataset_display, method_display};
use crate::setup::sanitize_file_stem;

/// An overlay grid and the file stem it is saved under.
pub type NamedOverlay = (String, OverlayFigure);

/// One grid per class of `cell` that has saved maps, as (file stem, figure), plus warnings
/// about images, masks or maps that could not be read. A cell without `maps/` gives none.
pub fn overlay_figures(cell: &Cell, count: usize) -> Result<(Vec<NamedOverlay>, Vec<String>)> {
    let mut warnings = Vec::new();
    if count == 0 || !cell.dir.join("maps").is_dir() {
        return Ok((Vec::new(), warnings));
    }
    let images = cell.read_images()?;
    let root = data_root(&cell.dir);
    if root.is_none() {
        warnings.push(format!(
            "{}: no manifest.json with data_root; overlays show maps over grey tiles",
            cell.dir.display()
        ));
    }
    let mut classes: Vec<&str> = Vec::new();
    for record in &images {
        if !classes.contains(&record.cls_name.as_str()) {
            classes.push(&record.cls_name);
        }
    }

    let mut figures = Vec::new();
    for class in classes {
        let selection = select_for_overlay(&images, class, count, |r| {
            map_path(&cell.dir, &r.img_path).is_file()
        });
        let chosen = selection
            .anomalies
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("anomalous #{} (best)", i + 1), *r))
            .chain(
                selection
                    .normals
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("normal #{} (worst)", i + 1), *r)),
            );
        let mut inputs = Vec::new();
        for (rank, record) in chosen {
            match overlay_input(cell, root.as_deref(), &rank, record, &mut warnings) {
                Ok(input) => inputs.push(input),
                Err(error) => {
                    warnings.push(format!("{error:#}; image left out of the overlay grid"))
                }
            }
        }
        if inputs.is_empty() {
            continue;
        }
        let info = &cell.info;
        let title = format!(
            "{} / {class} — {}, {}-shot ({})",
            dataset_display(&info.dataset),
            method_display(&info.method),
            info.k_shot,
            info.cell_id
        );
        let stem = sanitize_file_stem(&format!("overlays_{}_{class}", info.cell_id));
        figures.push((stem, OverlayFigure::new(title, inputs)?));
    }
    Ok((figures, warnings))
}

fn overlay_input(
    cell: &Cell,
    root: Option<&Path>,
    rank: &str,
    record: &ImageRecord,
    warnings: &mut Vec<String>,
) -> Result<OverlayInput> {
    let map = read_map(&map_path(&cell.dir, &record.img_path))?;
    let file_name = Path::new(&record.img_path)
        .file_name()
        .map_or(record.img_path.clone(), |n| {
            n.to_string_lossy().into_owned()
        });
    let label = format!("{rank}: score {:.3}, {file_name}", record.image_score);

    let mut open = |path: std::path::PathBuf| match image::open(&path) {
        Ok(image) => Some(image),
        Err(error) => {
            warnings.push(format!("cannot read {}: {error}", path.display()));
            None
        }
    };
    let image = root
        .and_then(|r| open(r.join(&record.img_path)))
        .map(|i| i.to_rgb8());
    let mask = if record.is_anomalous() {
        root.zip(mask_relative_path(&record.img_path))
            .and_then(|(r, m)| open(r.join(m)))
            .map(|i| i.to_luma8())
    } else {
        None
    };
    Ok(OverlayInput {
        label,
        map,
        image,
        mask,
        anomalous: record.is_anomalous(),
    })
}
