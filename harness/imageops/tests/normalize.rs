//! `to_chw_normalized` against torchvision's `ToTensor` + `Normalize` arithmetic.

use dictas_imageops::{to_chw_normalized, CLIP_MEAN, CLIP_STD};
use image::{Rgb, RgbImage};

/// Expected f32 bits from torch 2.13.0, the operations torchvision's `ToTensor` and
/// `Normalize` run:
/// ```python
/// pixels = [[[0, 128, 255], [1, 2, 3]], [[254, 100, 37], [77, 200, 13]]]  # HWC
/// img = torch.tensor(pixels, dtype=torch.uint8).permute(2, 0, 1).contiguous()
/// t = img.to(dtype=torch.get_default_dtype()).div(255)
/// mean = torch.as_tensor((0.48145466, 0.4578275, 0.40821073), dtype=t.dtype)[:, None, None]
/// std = torch.as_tensor((0.26862954, 0.26130258, 0.27577711), dtype=t.dtype)[:, None, None]
/// out = t.sub_(mean).div_(std)   # then the f32 bits of out.flatten()
/// ```
#[test]
fn matches_torchvision_bit_for_bit_in_chw_order() {
    let pixels = [[[0, 128, 255], [1, 2, 3]], [[254, 100, 37], [77, 200, 13]]];
    let img = RgbImage::from_fn(2, 2, |x, y| Rgb(pixels[y as usize][x as usize]));
    let expected: [u32; 12] = [
        0xbfe5_68dc,
        0xbfe3_8a7f,
        0x3ff5_36e5,
        0xbf2b_0e15, // R plane
        0x3e2c_f36b,
        0xbfdc_6d2b,
        0xbe80_ad0d,
        0x3f9f_ee31, // G plane
        0x4009_5660,
        0xbfb8_01f4,
        0xbf74_3e68,
        0xbfa5_ce52, // B plane
    ];
    let got: Vec<u32> = to_chw_normalized(&img, CLIP_MEAN, CLIP_STD)
        .iter()
        .map(|v| v.to_bits())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn clip_statistics_are_the_f32_roundings_of_the_published_values() {
    // numpy.array([...], numpy.float32).view(numpy.uint32) of CLIP's mean and std.
    assert_eq!(
        CLIP_MEAN.map(f32::to_bits),
        [0x3ef6_813a, 0x3eea_685e, 0x3ed1_00ff]
    );
    assert_eq!(
        CLIP_STD.map(f32::to_bits),
        [0x3e89_89d0, 0x3e85_c974, 0x3e8d_32a8]
    );
}
