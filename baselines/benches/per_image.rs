//! Per-image CPU time of the baselines with the parity fixture's tiny CLIP (width 128, 24
//! layers, patch 16) at 224 x 224, k = 2 support images, one query image per call.
//!
//! `cargo bench -p dictas-baselines --bench per_image` (fixture from `$DICTAS_PARITY_FIXTURE`,
//! else `shared/fixtures/parity-mvtec` inside or next to the repository). Image content does
//! not change the work done, so the images are seeded random tensors. libtorch runs on one
//! intra-op thread unless `$DICTAS_BENCH_THREADS` says otherwise: on a shared machine its
//! thread barriers stall whenever a core is busy elsewhere, which makes multi-threaded figures
//! of the small token-level ops vary a hundredfold between runs.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tch::{Device, Kind, Tensor};

use dictas_baselines::{
    fastrecon_maps, knn_maps, winclip_maps, winclip_memory, FastReconSettings, WinClipSettings, WINCLIP_NAME,
};
use dictas_model::{Activation, ClipModel};

const IMAGE_SIZE: i64 = 224;
const SUPPORT_IMAGES: i64 = 2;
/// Token layers of the knn and FastRecon runs (those of the larger DictAS rules).
const LAYERS: [i64; 4] = [6, 12, 18, 24];
const TOKEN_QUERIES: i64 = 10;
const WINCLIP_QUERIES: i64 = 2;

fn main() -> Result<()> {
    let threads = match std::env::var("DICTAS_BENCH_THREADS") {
        Ok(value) => value.parse().with_context(|| format!("DICTAS_BENCH_THREADS={value:?} is not a thread count"))?,
        Err(_) => 1,
    };
    tch::set_num_threads(threads);
    let checkpoint = common::parity_fixture().join("clip-jit.pt");
    let clip = ClipModel::load(&checkpoint, IMAGE_SIZE, Activation::Gelu, Device::Cpu)
        .with_context(|| format!("loading {}", checkpoint.display()))?;
    tch::manual_seed(0);
    let images = |n: i64| Tensor::randn([n, 3, IMAGE_SIZE, IMAGE_SIZE], (Kind::Float, Device::Cpu));
    let support = images(SUPPORT_IMAGES);
    let queries = images(TOKEN_QUERIES.max(WINCLIP_QUERIES));
    let grid = clip.grid();

    let (_, support_layers) = clip.f_encode_image(&support, &LAYERS)?;
    let dictionary: Vec<Tensor> = support_layers.iter().map(|t| t.reshape([1, -1, t.size()[2]])).collect();
    let encode_query = |i: i64| clip.f_encode_image(&queries.narrow(0, i, 1), &LAYERS).map(|(_, t)| t);
    let tokens = (0..TOKEN_QUERIES).map(encode_query).collect::<Result<Vec<_>>>()?;

    // The token encodings above warmed up the encoder; one untimed call warms up each method.
    let _ = knn_maps(&tokens[0], &dictionary, grid, IMAGE_SIZE)?;
    let fastrecon_settings = FastReconSettings::default();
    let _ = fastrecon_maps(&tokens[0], &dictionary, grid, IMAGE_SIZE, &fastrecon_settings)?;
    let encode = median_per_call(TOKEN_QUERIES, |i| encode_query(i).map(drop))?;
    let knn =
        median_per_call(TOKEN_QUERIES, |i| knn_maps(&tokens[i as usize], &dictionary, grid, IMAGE_SIZE).map(drop))?;
    let fastrecon = median_per_call(TOKEN_QUERIES, |i| {
        fastrecon_maps(&tokens[i as usize], &dictionary, grid, IMAGE_SIZE, &fastrecon_settings).map(drop)
    })?;

    // Building the support memory runs the same window forwards, so it doubles as warm-up.
    let settings = WinClipSettings::default();
    let started = Instant::now();
    let memory = winclip_memory(&clip, &support, "bottle", &settings)?;
    let winclip_support = started.elapsed();
    let winclip = median_per_call(WINCLIP_QUERIES, |i| {
        winclip_maps(&clip, &queries.narrow(0, i, 1), &memory, &settings).map(drop)
    })?;

    println!(
        "CPU, {} threads; fixture CLIP at {IMAGE_SIZE}, grid {grid}, k = {SUPPORT_IMAGES}; layers {LAYERS:?} for knn/FastRecon",
        tch::get_num_threads()
    );
    println!("| method | per query image, median (ms) | note |");
    println!("|---|---|---|");
    println!("| CLIP encode (4 layers) | {:.1} | shared by knn and FastRecon, not included below |", ms(encode));
    println!("| knn | {:.1} | maps from tokens |", ms(knn));
    println!("| FastRecon | {:.1} | maps from tokens, {fastrecon_settings:?} |", ms(fastrecon));
    println!(
        "| {WINCLIP_NAME} | {:.1} | images to maps, scales {:?}; support memory once per class: {:.1} ms |",
        ms(winclip),
        settings.scales,
        ms(winclip_support)
    );
    Ok(())
}

/// Median time of `run(i)` for `i` in `0..count` (the machine may be shared, so the median
/// rather than the mean).
fn median_per_call(count: i64, mut run: impl FnMut(i64) -> Result<()>) -> Result<Duration> {
    let mut times = Vec::with_capacity(count as usize);
    for i in 0..count {
        let started = Instant::now();
        run(i)?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
