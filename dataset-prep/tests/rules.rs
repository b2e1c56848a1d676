//! Conversion rules on small hand-made source trees: mask binarization, pixel formats,
//! JPEG sources, BTAD's per-folder extensions, and the test-folder quirks.

mod common;

use common::*;
use dictas_prep::meta::read_meta;
use dictas_prep::Dataset;
use image::{DynamicImage, GrayAlphaImage, GrayImage, ImageBuffer, ImageFormat, Luma, Rgb, RgbImage, RgbaImage};
use std::fs;
use std::path::Path;

/// The mask values every binarization test uses, 5 x 1.
const MASK_VALUES: [u8; 5] = [0, 1, 128, 129, 255];

fn threshold_mask() -> GrayImage {
    GrayImage::from_raw(5, 1, MASK_VALUES.to_vec()).unwrap()
}

fn read_png_mask(path: &Path) -> Vec<u8> {
    match image::open(path).unwrap() {
        DynamicImage::ImageLuma8(mask) => mask.into_raw(),
        other => panic!("{} is {:?}, expected 8-bit gray", path.display(), other.color()),
    }
}

/// Decodes a produced BMP after checking it is a 24-bit BMP.
fn read_bmp(path: &Path) -> RgbImage {
    let bytes = fs::read(path).unwrap();
    assert_eq!(&bytes[..2], b"BM", "{}", path.display());
    assert_eq!(
        u16::from_le_bytes([bytes[28], bytes[29]]),
        24,
        "{} is not 24-bit",
        path.display()
    );
    match image::load_from_memory_with_format(&bytes, ImageFormat::Bmp).unwrap() {
        DynamicImage::ImageRgb8(image) => image,
        other => panic!("{:?}", other.color()),
    }
}

/// A one-class MVTec-layout tree: 1 train image, 1 good and 1 `crack` test image.
fn mini_mvtec(src: &Path, class: &str, image: &RgbImage, mask: &GrayImage) {
    let c = src.join(class);
    write(&c.join("train/good/000.png"), &encode(image.clone(), ImageFormat::Png));
    write(&c.join("test/good/000.png"), &encode(image.clone(), ImageFormat::Png));
    write(&c.join("test/crack/000.png"), &encode(image.clone(), ImageFormat::Png));
    write(
        &c.join("ground_truth/crack/000_mask.png"),
        &encode(mask.clone(), ImageFormat::Png),
    );
}

// Expected values from the SPEC's rules: > 128 -> 255 for mvtec, > 0 -> 255 for RESC.
#[test]
fn masks_are_binarized_by_the_dataset_rule() {
    let work = scratch();
    let src = work.path().join("mvtec");
    mini_mvtec(&src, "bottle", &rgb(5, 1), &threshold_mask());
    prep_classes(Dataset::Mvtec, &src, &work.path().join("out"), &["bottle"]).unwrap();
    let mask = work
        .path()
        .join("out/mvtec/bottle/ground_truth/anomaly/mvtec_crack_000001.png");
    assert_eq!(read_png_mask(&mask), [0, 0, 0, 255, 255]);

    let src = work.path().join("resc");
    let r = src.join("retina");
    write(&r.join("train/good/a.png"), &encode(rgb(5, 1), ImageFormat::Png));
    write(&r.join("test/Ungood/a.png"), &encode(rgb(5, 1), ImageFormat::Png));
    write(
        &r.join("ground_truth/Ungood/a.png"),
        &encode(threshold_mask(), ImageFormat::Png),
    );
    prep(Dataset::Resc, &src, &work.path().join("out")).unwrap();
    let mask = work
        .path()
        .join("out/RESC/retina/ground_truth/anomaly/RESC_Ungood_000001.png");
    assert_eq!(read_png_mask(&mask), [0, 255, 255, 255, 255]);
}

#[test]
fn colour_masks_are_read_as_gray_before_binarizing() {
    // Test folders sort as good, hole: the anomaly gets id 2.
    // (200, 100, 50): 0.299*200 + 0.587*100 + 0.114*50 = 124.2 -> 0 under > 128;
    // (100, 200, 150): 29.9 + 117.4 + 17.1 = 164.4 -> 255.
    let work = scratch();
    let src = work.path().join("mvtec");
    let mask = RgbImage::from_raw(2, 1, vec![200, 100, 50, 100, 200, 150]).unwrap();
    let c = src.join("grid");
    write(&c.join("train/good/000.png"), &encode(rgb(2, 1), ImageFormat::Png));
    write(&c.join("test/good/000.png"), &encode(rgb(2, 1), ImageFormat::Png));
    write(&c.join("test/hole/000.png"), &encode(rgb(2, 1), ImageFormat::Png));
    write(
        &c.join("ground_truth/hole/000_mask.png"),
        &encode(mask, ImageFormat::Png),
    );
    prep_classes(Dataset::Mvtec, &src, &work.path().join("out"), &["grid"]).unwrap();
    assert_eq!(
        read_png_mask(
            &work
                .path()
                .join("out/mvtec/grid/ground_truth/anomaly/mvtec_hole_000002.png")
        ),
        [0, 255]
    );
}

#[test]
fn every_pixel_format_becomes_24_bit_bgr() {
    let work = scratch();
    let src = work.path().join("raw");
    let train = src.join("carpet/train/good");
    let gray = GrayImage::from_raw(2, 1, vec![10, 250]).unwrap();
    let rgba = RgbaImage::from_raw(2, 1, vec![1, 2, 3, 0, 4, 5, 6, 255]).unwrap();
    let gray_alpha = GrayAlphaImage::from_raw(2, 1, vec![7, 0, 8, 128]).unwrap();
    let gray16 = ImageBuffer::<Luma<u16>, _>::from_raw(2, 1, vec![0x1234u16, 0xfe01]).unwrap();
    write(&train.join("a_gray.png"), &encode(gray, ImageFormat::Png));
    write(&train.join("b_rgba.png"), &encode(rgba, ImageFormat::Png));
    write(&train.join("c_gray_alpha.png"), &encode(gray_alpha, ImageFormat::Png));
    write(
        &train.join("d_gray16.png"),
        &encode(DynamicImage::ImageLuma16(gray16), ImageFormat::Png),
    );
    write(
        &src.join("carpet/test/good/000.png"),
        &encode(rgb(2, 1), ImageFormat::Png),
    );
    prep_classes(Dataset::Mvtec, &src, &work.path().join("out"), &["carpet"]).unwrap();

    let produced = work.path().join("out/mvtec/carpet/train/good");
    let pixels = |n: usize| read_bmp(&produced.join(format!("mvtec_{n:06}.bmp"))).into_raw();
    assert_eq!(pixels(0), [10, 10, 10, 250, 250, 250]); // gray expanded
    assert_eq!(pixels(1), [1, 2, 3, 4, 5, 6]); // alpha dropped, not blended (even alpha 0)
    assert_eq!(pixels(2), [7, 7, 7, 8, 8, 8]);
    assert_eq!(pixels(3), [0x12, 0x12, 0x12, 0xfe, 0xfe, 0xfe]); // 16-bit: high byte
}

/// VisA: JPEG images reached through the CSV; masks binarized with > 0.
#[test]
fn visa_jpeg_sources_through_the_split_csv() {
    let work = scratch();
    let src = work.path().join("visa");
    let flat = RgbImage::from_pixel(5, 1, Rgb([200, 100, 50]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 100)
        .encode_image(&flat)
        .unwrap();
    for name in ["Normal/0000.JPG", "Normal/0001.JPG", "Anomaly/000.JPG"] {
        write(&src.join("candle/Data/Images").join(name), &jpeg);
    }
    write(
        &src.join("candle/Data/Masks/Anomaly/000.png"),
        &encode(threshold_mask(), ImageFormat::Png),
    );
    let csv = "object,split,label,image,mask\n\
               candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png\n\
               candle,train,normal,candle/Data/Images/Normal/0001.JPG,\n\
               candle,test,normal,candle/Data/Images/Normal/0000.JPG,\n";
    write(&src.join("split_csv/1cls.csv"), csv.as_bytes());
    let out = work.path().join("out");
    prep_classes(Dataset::Visa, &src, &out, &["candle"]).unwrap();

    // Rows of a class: train first, then test in CSV order.
    assert_eq!(
        list_tree(&out.join("visa")),
        [
            "candle/ground_truth/anomaly/visa_000_000001.png",
            "candle/test/anomaly/visa_000_000001.bmp",
            "candle/test/good/visa_0000_000002.bmp",
            "candle/train/good/visa_0001_000000.bmp",
        ]
    );
    let decoded = read_bmp(&out.join("visa/candle/train/good/visa_0001_000000.bmp"));
    for pixel in decoded.pixels() {
        for (value, expected) in pixel.0.iter().zip([200u8, 100, 50]) {
            assert!(
                value.abs_diff(expected) <= 3,
                "JPEG pixel {pixel:?} far from (200, 100, 50)"
            );
        }
    }
    assert_eq!(
        read_png_mask(&out.join("visa/candle/ground_truth/anomaly/visa_000_000001.png")),
        [0, 255, 255, 255, 255]
    );
}

/// BTAD: .bmp images in 01 and 03, .png in 02 (others ignored); masks `<stem>.png` for 01
/// and 02, the image's own name (.bmp) for 03.
#[test]
fn btad_uses_per_folder_extensions_and_mask_names() {
    let work = scratch();
    let src = work.path().join("btad");
    let bmp = encode(rgb(4, 4), ImageFormat::Bmp);
    let png = encode(rgb(4, 4), ImageFormat::Png);
    let mask_png = encode(mask(4, 4), ImageFormat::Png);
    let mask_bmp = encode(DynamicImage::ImageLuma8(mask(4, 4)).to_rgb8(), ImageFormat::Bmp);
    for (folder, image, stray) in [
        ("01", &bmp, "9999.png"),
        ("02", &png, "9999.bmp"),
        ("03", &bmp, "9999.png"),
    ] {
        let extension = if folder == "02" { "png" } else { "bmp" };
        let f = src.join(folder);
        write(&f.join(format!("train/ok/0000.{extension}")), image);
        write(&f.join(format!("train/ok/0001.{extension}")), image);
        write(&f.join("train/ok").join(stray), &bmp);
        write(&f.join(format!("test/ok/0005.{extension}")), image);
        write(&f.join(format!("test/ko/0002.{extension}")), image);
        write(&f.join("test/ko").join(stray), &bmp);
        let mask_name = if folder == "03" { "0002.bmp" } else { "0002.png" };
        write(
            &f.join("ground_truth/ko").join(mask_name),
            if folder == "03" { &mask_bmp } else { &mask_png },
        );
    }
    let out = work.path().join("out");
    prep(Dataset::Btad, &src, &out).unwrap();
    let mut expected = Vec::new();
    for (class, first) in [("metal1", 0), ("wood", 4), ("metal2", 8)] {
        expected.extend([
            format!("{class}/ground_truth/anomaly/BTAD_ko_0002_{:06}.png", first + 2),
            format!("{class}/test/anomaly/BTAD_ko_0002_{:06}.bmp", first + 2),
            format!("{class}/test/good/BTAD_good_0005_{:06}.bmp", first + 3),
            format!("{class}/train/good/BTAD_0000_{:06}.bmp", first),
            format!("{class}/train/good/BTAD_0001_{:06}.bmp", first + 1),
        ]);
    }
    let mut produced = list_tree(&out.join("BTAD"));
    produced.sort();
    expected.sort();
    assert_eq!(produced, expected);
    let produced_mask = out.join("BTAD/metal2/ground_truth/anomaly/BTAD_ko_0002_000010.png");
    assert_eq!(read_png_mask(&produced_mask), mask(4, 4).into_raw());
}

/// mvtec: a test folder holding only `good` contributes no test images (reference quirk);
/// RESC (rule ">= 1 folder") keeps them. Files with other extensions are ignored.
#[test]
fn test_folder_quirks() {
    let work = scratch();
    let src = work.path().join("mvtec");
    let png = encode(rgb(4, 4), ImageFormat::Png);
    write(&src.join("pill/train/good/000.png"), &png);
    write(&src.join("pill/train/good/notes.txt"), b"not an image");
    write(&src.join("pill/test/good/000.png"), &png);
    mini_mvtec(&src, "zipper", &rgb(4, 4), &mask(4, 4));
    write(&src.join("zipper/test/crack/001.jpg"), b"ignored: not .png");
    let out = work.path().join("out");
    prep_classes(Dataset::Mvtec, &src, &out, &["pill", "zipper"]).unwrap();
    let meta = read_meta(&out, "mvtec").unwrap();
    assert_eq!(meta.train["pill"].len(), 1);
    assert!(meta.test["pill"].is_empty());
    assert_eq!(meta.test["zipper"].len(), 2);
    assert_eq!(
        meta.test["zipper"][0].img_path,
        "mvtec/zipper/test/anomaly/mvtec_crack_000002.bmp"
    );
    assert_eq!(
        meta.test["zipper"][0].mask_path,
        "mvtec/zipper/ground_truth/anomaly/mvtec_crack_000002.png"
    );
    assert_eq!(
        meta.test["zipper"][1].img_path,
        "mvtec/zipper/test/good/mvtec_good_000003.bmp"
    );
    assert!(
        out.join("mvtec/pill/test/anomaly").is_dir(),
        "empty standard folders exist"
    );

    let src = work.path().join("resc");
    write(&src.join("retina/train/good/000.png"), &png);
    write(&src.join("retina/test/good/000.png"), &png);
    prep(Dataset::Resc, &src, &out).unwrap();
    let meta = read_meta(&out, "RESC").unwrap();
    assert_eq!(meta.test["retina"].len(), 1);
}

/// mvtec3D reads `rgb/` and `gt/` only: `xyz/` maps and the `validation` split are ignored.
#[test]
fn mvtec3d_reads_rgb_and_gt_only() {
    let work = scratch();
    let src = work.path().join("mvtec3d");
    let png = encode(rgb(4, 4), ImageFormat::Png);
    let b = src.join("bagel");
    write(&b.join("train/good/rgb/000.png"), &png);
    write(&b.join("train/good/xyz/000.tiff"), b"depth");
    write(&b.join("validation/good/rgb/000.png"), &png);
    write(&b.join("test/good/rgb/007.png"), &png);
    write(&b.join("test/crack/rgb/003.png"), &png);
    write(&b.join("test/crack/gt/003.png"), &encode(mask(4, 4), ImageFormat::Png));
    write(&b.join("test/crack/xyz/003.tiff"), b"depth");
    let out = work.path().join("out");
    prep_classes(Dataset::Mvtec3d, &src, &out, &["bagel"]).unwrap();
    assert_eq!(
        list_tree(&out.join("mvtec3D")),
        [
            "bagel/ground_truth/anomaly/mvtec3D_crack_003_000001.png",
            "bagel/test/anomaly/mvtec3D_crack_003_000001.bmp",
            "bagel/test/good/mvtec3D_good_007_000002.bmp",
            "bagel/train/good/mvtec3D_000000.bmp",
        ]
    );
}

/// VOC/Ade test images (when present): .png, masks at `ground_truth/<defect>/<stem>/000.png`.
#[test]
fn voc_ade_test_layout() {
    let work = scratch();
    let src = work.path().join("ade");
    let o = src.join("object");
    write(&o.join("train/good/ADE_1.jpg"), &encode(rgb(4, 4), ImageFormat::Jpeg));
    write(&o.join("test/good/g1.png"), &encode(rgb(4, 4), ImageFormat::Png));
    write(&o.join("test/thing/t1.png"), &encode(rgb(4, 4), ImageFormat::Png));
    write(
        &o.join("ground_truth/thing/t1/000.png"),
        &encode(mask(4, 4), ImageFormat::Png),
    );
    let out = work.path().join("out");
    prep(Dataset::Ade, &src, &out).unwrap();
    assert_eq!(
        list_tree(&out.join("Ade")),
        [
            "object/ground_truth/anomaly/Ade_thing_t1_000002.png",
            "object/test/anomaly/Ade_thing_t1_000002.bmp",
            "object/test/good/Ade_good_g1_000001.bmp",
            "object/train/good/Ade_ADE_1_000000.bmp",
        ]
    );
    let meta = read_meta(&out, "Ade").unwrap();
    assert_eq!(meta.test["object"][0].dataset_name, "Ade");
    assert_eq!(meta.train["object"][0].dataset_name, "Ade");
}

/// An 10x8 JPEG with 4:2:0 chroma subsampling (written by Pillow, quality 75).
const JPEG_420_HEX: &str = concat!(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912",
    "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffdb0043010909",
    "090c0b0c180d0d1832211c21323232323232323232323232323232323232323232323232323232323232323232323232",
    "3232323232323232323232323232ffc00011080008000a03012200021101031101ffc4001f0000010501010101010100",
    "000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221",
    "31410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a",
    "434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596979899",
    "9aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1",
    "f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100",
    "020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f015",
    "6272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a63646566676869",
    "6a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4",
    "c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00a5",
    "a26bcaca19a4c01d4d754baf43b070fd3d07f8d1454472bc22843dc4eeafaaf33dbc8f074bd86c7fffd9",
);

/// Its pixels (RGB, row-major) as `cv2.imread` (OpenCV 5.1, libjpeg-turbo) decodes them.
#[rustfmt::skip]
const JPEG_420_OPENCV_RGB: [u8; 240] = [
    42, 192, 0, 52, 194, 0, 68, 196, 0, 89, 196, 6, 112, 192, 35, 139, 192, 50, 165, 194, 52, 185, 194, 51, 199, 189, 42, 210, 193, 45,
    35, 176, 0, 47, 180, 1, 66, 184, 2, 87, 184, 17, 111, 178, 46, 134, 177, 62, 159, 178, 63, 180, 177, 64, 201, 180, 65, 213, 183, 69,
    29, 150, 9, 43, 157, 17, 66, 164, 25, 87, 165, 45, 109, 156, 75, 133, 153, 92, 159, 154, 98, 180, 155, 101, 205, 161, 112, 218, 164, 117,
    28, 130, 18, 43, 137, 27, 66, 145, 40, 89, 144, 63, 111, 138, 97, 136, 135, 117, 165, 139, 126, 188, 139, 132, 209, 141, 140, 220, 144, 146,
    33, 113, 24, 45, 119, 34, 66, 124, 48, 90, 124, 74, 117, 119, 114, 144, 120, 136, 174, 125, 146, 197, 127, 151, 222, 133, 163, 233, 136, 169,
    33, 95, 28, 43, 99, 38, 64, 103, 56, 89, 104, 85, 117, 101, 127, 146, 103, 148, 173, 106, 149, 193, 106, 148, 190, 84, 130, 202, 89, 135,
    27, 76, 31, 36, 78, 40, 58, 81, 61, 85, 85, 93, 115, 85, 135, 141, 85, 150, 161, 82, 137, 175, 77, 124, 198, 83, 126, 210, 88, 127,
    19, 63, 28, 30, 64, 39, 52, 69, 61, 82, 74, 95, 113, 74, 137, 135, 71, 145, 150, 64, 125, 159, 55, 104, 194, 73, 114, 207, 78, 116,
];

/// JPEG sources are decoded exactly as OpenCV decodes them (fancy chroma upsampling).
#[test]
fn jpeg_pixels_match_opencv() {
    let work = scratch();
    let src = work.path().join("ade");
    let bytes: Vec<u8> = (0..JPEG_420_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&JPEG_420_HEX[i..i + 2], 16).unwrap())
        .collect();
    write(&src.join("object/train/good/a.jpg"), &bytes);
    fs::create_dir_all(src.join("object/test")).unwrap();
    let out = work.path().join("out");
    prep(Dataset::Ade, &src, &out).unwrap();
    let decoded = read_bmp(&out.join("Ade/object/train/good/Ade_a_000000.bmp"));
    assert_eq!(decoded.dimensions(), (10, 8));
    assert_eq!(decoded.into_raw(), JPEG_420_OPENCV_RGB);
}
