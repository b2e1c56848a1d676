//! WinCLIP on the parity fixture's tiny random CLIP, loaded at 96 x 96 (a 6 x 6 patch grid, so
//! 25 + 16 windows per image) to keep the window forwards cheap.

mod common;

use common::{max_value, parity_fixture};
use dictas_baselines::winclip_prompts::{class_text_matrix, text_scores, PromptEnsemble};
use dictas_baselines::{winclip_branches, winclip_maps, winclip_memory, WinClipSettings};
use dictas_model::prompts::{class_text_features, text_anomaly_scores};
use dictas_model::{Activation, ClipModel};
use tch::{Device, Kind, Tensor};

const IMAGE_SIZE: i64 = 96;

fn clip() -> ClipModel {
    ClipModel::load(&parity_fixture().join("clip-jit.pt"), IMAGE_SIZE, Activation::Gelu, Device::Cpu).unwrap()
}

fn images(n: i64) -> Tensor {
    Tensor::randn([n, 3, IMAGE_SIZE, IMAGE_SIZE], (Kind::Float, Device::Cpu))
}

/// `image [1, 3, S, S]` with the 32 x 32 block at pixels 32..64 (patches 2..4 of rows and
/// columns 2..4) replaced by a bright constant.
fn corrupted(image: &Tensor) -> Tensor {
    let out = image.copy();
    let _ = out.narrow(2, 32, 32).narrow(3, 32, 32).fill_(3.0);
    out
}

#[test]
fn maps_are_finite_and_image_sized() {
    tch::manual_seed(11);
    let clip = clip();
    let settings = WinClipSettings { windows_per_forward: 7, ..WinClipSettings::default() };
    let memory = winclip_memory(&clip, &images(2), "bottle", &settings).unwrap();
    assert_eq!(memory.support_images(), 2);
    let maps = winclip_maps(&clip, &images(3), &memory, &settings).unwrap();
    assert_eq!(maps.size(), [3, IMAGE_SIZE, IMAGE_SIZE]);
    assert_eq!(maps.kind(), Kind::Float);
    assert!(bool::try_from(maps.isfinite().all()).unwrap());
    // Both branches are scores in [0, 1].
    assert!(maps.min().double_value(&[]) >= 0.0 && max_value(&maps) <= 1.0);
}

#[test]
fn the_few_shot_branch_scores_a_support_copy_below_a_corrupted_one() {
    tch::manual_seed(12);
    let clip = clip();
    let settings = WinClipSettings::default();
    let support = images(2);
    let memory = winclip_memory(&clip, &support, "bottle", &settings).unwrap();
    let copy = support.narrow(0, 1, 1);
    let queries = Tensor::cat(&[copy.copy(), corrupted(&copy)], 0);
    let branches = winclip_branches(&clip, &queries, &memory, &settings).unwrap();
    assert_eq!(branches.few_shot.size(), [2, 6, 6]);
    assert_eq!(branches.zero_shot.size(), [2, 6, 6]);

    let identical = branches.few_shot.get(0);
    let damaged = branches.few_shot.get(1);
    // The copy finds itself in the memory: every window and patch has a cosine-1 match.
    assert!(max_value(&identical) < 1e-4, "copy: {}", max_value(&identical));
    assert!(max_value(&damaged) > 100.0 * max_value(&identical).max(1e-6), "corrupted: {damaged}");
    // The corrupted patches (rows and columns 2..4) score higher than the rest on average.
    let inside = damaged.narrow(0, 2, 2).narrow(1, 2, 2).mean(Kind::Float).double_value(&[]);
    let outside = (damaged.sum(Kind::Float).double_value(&[]) - 4.0 * inside) / 32.0;
    assert!(inside > outside, "inside {inside}, outside {outside}");
}

#[test]
fn misuse_is_reported() {
    tch::manual_seed(13);
    let clip = clip();
    let settings = WinClipSettings::default();
    let memory = winclip_memory(&clip, &images(1), "bottle", &settings).unwrap();
    let query = images(1);

    let other = WinClipSettings { scales: vec![2], ..WinClipSettings::default() };
    let err = winclip_maps(&clip, &query, &memory, &other).map(drop).unwrap_err();
    assert!(format!("{err:#}").contains("memory was built with"), "{err:#}");

    let other_prompts = WinClipSettings { prompts: PromptEnsemble::DictAs, ..WinClipSettings::default() };
    let err = winclip_maps(&clip, &query, &memory, &other_prompts).map(drop).unwrap_err();
    assert!(format!("{err:#}").contains("memory was built with"), "{err:#}");

    let too_large = WinClipSettings { scales: vec![7], ..WinClipSettings::default() };
    let err = winclip_memory(&clip, &query, "bottle", &too_large).map(drop).unwrap_err();
    assert!(format!("{err:#}").contains("window side 7 is outside 1..=6"), "{err:#}");

    let cold = WinClipSettings { temperature: 0.0, ..WinClipSettings::default() };
    let err = winclip_memory(&clip, &query, "bottle", &cold).map(drop).unwrap_err();
    assert!(format!("{err:#}").contains("temperature is 0"), "{err:#}");

    let err = winclip_memory(&clip, &Tensor::zeros([1, 3, 64, 64], (Kind::Float, Device::Cpu)), "bottle", &settings)
        .map(drop)
        .unwrap_err();
    assert!(format!("{err:#}").contains("expected [B, 3, 96, 96]"), "{err:#}");
}

#[test]
fn winclip_prompts_give_their_own_unit_text_matrix() {
    let clip = clip();
    let embed_dim = clip.config().embed_dim;
    let winclip = class_text_matrix(&clip, "bottle", PromptEnsemble::WinClip).unwrap();
    let dictas = class_text_matrix(&clip, "bottle", PromptEnsemble::DictAs).unwrap();
    assert_eq!(winclip.size(), [embed_dim, 2]);
    let norms = winclip.norm_scalaropt_dim(2, [0i64].as_slice(), false);
    assert!(max_value(&(norms - 1.0).abs()) < 1e-5);
    // The DictAS choice is exactly DictAS's own matrix; WinCLIP's ensemble is a different one.
    assert!(dictas.equal(&class_text_features(&clip, "bottle").unwrap()));
    assert!(max_value(&(&winclip - &dictas).abs()) > 1e-4);
}

#[test]
fn dictas_prompts_at_temperature_one_hundredth_give_the_dictas_text_score() {
    tch::manual_seed(14);
    let clip = clip();
    let text = class_text_features(&clip, "bottle").unwrap();
    let global = Tensor::randn([5, clip.config().embed_dim], (Kind::Float, Device::Cpu));
    let ours = text_scores(&global, &text, 0.01);
    let dictas = text_anomaly_scores(&global, &text);
    assert!(max_value(&(ours - dictas).abs()) < 1e-6);
}

#[test]
fn the_prompt_ensemble_changes_only_the_zero_shot_branch() {
    tch::manual_seed(15);
    let clip = clip();
    let (support, queries) = (images(1), images(2));
    let branches = |prompts| {
        let settings = WinClipSettings { prompts, scales: vec![3], ..WinClipSettings::default() };
        let memory = winclip_memory(&clip, &support, "bottle", &settings).unwrap();
        winclip_branches(&clip, &queries, &memory, &settings).unwrap()
    };
    let (winclip, dictas) = (branches(PromptEnsemble::WinClip), branches(PromptEnsemble::DictAs));
    assert!(winclip.few_shot.equal(&dictas.few_shot));
    assert!(max_value(&(&winclip.zero_shot - &dictas.zero_shot).abs()) > 1e-6);
}
