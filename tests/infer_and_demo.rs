//! `dictas infer` on one image, and its bad-input errors.

mod common;
use common::*;

#[test]
fn infer_writes_overlay_and_raw_map() {
    let fx = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("infer");
    let stdout = ok(&dictas(&[
        "infer",
        "--image", s(&fx.join("data/mvtec/bottle/test/anomaly/mvtec_anomaly_000006.bmp")),
        "--support", s(&fx.join("data/mvtec/bottle/train/good/mvtec_000002.bmp")),
        s(&fx.join("data/mvtec/bottle/train/good/mvtec_000001.bmp")),
        "--clip", s(&fx.join("clip-jit.pt")),
        "--checkpoint", s(&fx.join("dictas.pth")),
        "--class", "bottle",
        "--image-size", "224",
        "--device", "cpu",
        "--out", s(&out),
    ]));
    // Same supports and settings as the parity fixture: the text score is the reference's.
    assert!(stdout.contains("text score 0.6904"), "{stdout}");
    let overlay = image::open(out.join("overlay.png")).unwrap();
    assert_eq!((overlay.width(), overlay.height()), (224, 224));
    let map: ndarray::Array2<f32> = ndarray_npy::read_npy(out.join("map.npy")).unwrap();
    assert_eq!(map.shape(), &[224, 224]);
    let reference: ndarray::Array3<f32> = ndarray_npy::read_npy(fx.join("ref/anomaly_maps.npy")).unwrap();
    let worst = map.iter().zip(reference.index_axis(ndarray::Axis(0), 0).iter()).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    assert!(worst <= 1e-4, "map differs from the reference by {worst}");
}

#[test]
fn infer_names_a_missing_support() {
    let fx = fixture();
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&dictas(&[
        "infer",
        "--image", s(&fx.join("data/mvtec/bottle/test/anomaly/mvtec_anomaly_000006.bmp")),
        "--support", s(&dir.path().join("absent.png")),
        "--clip", s(&fx.join("clip-jit.pt")),
        "--checkpoint", s(&fx.join("dictas.pth")),
        "--image-size", "224",
        "--out", s(&dir.path().join("o")),
    ]));
    assert!(err.contains("absent.png"), "{err}");
    assert!(!dir.path().join("o").exists());
}
