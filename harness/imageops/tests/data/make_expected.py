"""Writes the expected outputs of the dictas-imageops tests (raw HWC bytes, row-major).

Computed with the real libraries, never with the crate:
    pip install pillow==12.2.0 opencv-python-headless==4.6.0.66 albumentations==1.3.1 numpy==1.26.4
    python make_expected.py        # run inside tests/data

Pillow 9.5.0 through 12.2.0 give identical bytes for every case here. Pillow 13.0.0 runs the
vertical pass first when the height shrinks more than twice as much as the width, which changes
`resize_bicubic_rgb_7x31_to_6x5.bin` (the reference pipeline predates that release).
"""
import numpy as np
from PIL import Image
import cv2
import albumentations as A


def test_rgb(w, h):
    # Same formula as tests/common/mod.rs: sharp edges and gradients, so clipping and every
    # tap of the filters matter.
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return ((x * 73 + y * 151 + c * 199 + x * y * 37) % 256).astype(np.uint8)


def test_mask(w, h):
    # Same formula as tests/common/mod.rs: a 0/255 ellipse, off-centre.
    y, x = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    inside = (x - 4) ** 2 * 4 + (y - 3) ** 2 * 9 < 90
    return (inside * 255).astype(np.uint8)


def save(name, array):
    with open(name, "wb") as fh:
        fh.write(np.ascontiguousarray(array).tobytes())


rgb = Image.fromarray(test_rgb(13, 9))
mask = Image.fromarray(test_mask(13, 9))
save("resize_bicubic_rgb_13x9_to_5x7.bin", np.array(rgb.resize((5, 7), Image.BICUBIC)))
save("resize_bicubic_rgb_13x9_to_20x16.bin", np.array(rgb.resize((20, 16), Image.BICUBIC)))
save("resize_bicubic_rgb_13x9_to_13x4.bin", np.array(rgb.resize((13, 4), Image.BICUBIC)))
save("resize_bicubic_rgb_13x9_to_6x9.bin", np.array(rgb.resize((6, 9), Image.BICUBIC)))
save("resize_bicubic_rgb_7x31_to_6x5.bin",
     np.array(Image.fromarray(test_rgb(7, 31)).resize((6, 5), Image.BICUBIC)))
save("resize_bilinear_rgb_13x9_to_5x7.bin", np.array(rgb.resize((5, 7), Image.BILINEAR)))
save("resize_bilinear_gray_13x9_to_5x7.bin", np.array(mask.resize((5, 7), Image.BILINEAR)))
save("resize_bilinear_gray_13x9_to_20x16.bin", np.array(mask.resize((20, 16), Image.BILINEAR)))
save("resize_nearest_rgb_13x9_to_5x7.bin", np.array(rgb.resize((5, 7), Image.NEAREST)))
save("resize_nearest_rgb_13x9_to_20x16.bin", np.array(rgb.resize((20, 16), Image.NEAREST)))
save("resize_nearest_gray_13x9_to_5x7.bin", np.array(mask.resize((5, 7), Image.NEAREST)))

# Rotation as the reference applies it: albumentations on the BGR array, back to RGB.
bgr = test_rgb(13, 9)[:, :, ::-1]
for angle in (-135, -45, 90, 180):
    rotated = A.Rotate(limit=(angle, angle), always_apply=True)(image=bgr)["image"][:, :, ::-1]
    direct = cv2.warpAffine(
        test_rgb(13, 9), cv2.getRotationMatrix2D((13 / 2 - 0.5, 9 / 2 - 0.5), angle, 1.0), (13, 9),
        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    assert (rotated == direct).all()
    save(f"rotate_rgb_13x9_{angle}.bin".replace("-", "minus"), rotated)
