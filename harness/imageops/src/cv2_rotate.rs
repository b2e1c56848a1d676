//! The affine matrices of a rotation as OpenCV builds them: `cv2.getRotationMatrix2D` and the
//! inversion `cv2.warpAffine` applies when not given `WARP_INVERSE_MAP`.

/// A 2x3 affine matrix, row-major: `x' = m[0] x + m[1] y + m[2]`, `y' = m[3] x + m[4] y + m[5]`.
pub(crate) type Affine = [f64; 6];

/// `cv2.getRotationMatrix2D(center, angle_deg, scale)`: maps source to destination, positive
/// angles counter-clockwise (y pointing down). OpenCV takes the centre as a `Point2f`.
pub(crate) fn rotation_matrix(center: (f32, f32), angle_deg: f64, scale: f64) -> Affine {
    let angle = angle_deg * (std::f64::consts::PI / 180.0);
    let alpha = angle.cos() * scale;
    let beta = angle.sin() * scale;
    let (cx, cy) = (f64::from(center.0), f64::from(center.1));
    [
        alpha,
        beta,
        (1.0 - alpha) * cx - beta * cy,
        -beta,
        alpha,
        beta * cx + (1.0 - alpha) * cy,
    ]
}

/// The destination-to-source matrix, with OpenCV's operation order (a singular matrix maps
/// everything to the origin, as OpenCV's zero determinant handling does).
pub(crate) fn invert_affine(m: Affine) -> Affine {
    let det = m[0] * m[4] - m[1] * m[3];
    let inv_det = if det != 0.0 { 1.0 / det } else { 0.0 };
    let a00 = m[4] * inv_det;
    let a01 = m[1] * -inv_det;
    let a10 = m[3] * -inv_det;
    let a11 = m[0] * inv_det;
    let b0 = -a00 * m[2] - a01 * m[5];
    let b1 = -a10 * m[2] - a11 * m[5];
    [a00, a01, b0, a10, a11, b1]
}

/// The centre albumentations (1.x) rotates about: `(w / 2 - 0.5, h / 2 - 0.5)`, the middle of
/// the pixel grid in OpenCV's pixel-centre coordinates.
pub(crate) fn albumentations_center(width: usize, height: usize) -> (f32, f32) {
    (
        (width as f64 / 2.0 - 0.5) as f32,
        (height as f64 / 2.0 - 0.5) as f32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected bits from OpenCV 4.6.0 (opencv-python-headless 4.6.0.66):
    /// `cv2.getRotationMatrix2D((13/2-0.5, 9/2-0.5), -135, 1.0)`, printed with
    /// `[struct.unpack('<Q', struct.pack('<d', v))[0] for v in M.ravel()]`.
    #[test]
    fn rotation_matrix_matches_opencv_bit_for_bit() {
        let m = rotation_matrix(albumentations_center(13, 9), -135.0, 1.0);
        let expected: [u64; 6] = [
            0xbfe6_a09e_667f_3bcc,
            0xbfe6_a09e_667f_3bcd,
            0x402a_2463_000f_855f,
            0x3fe6_a09e_667f_3bcd,
            0xbfe6_a09e_667f_3bcc,
            0x4004_afb0_ccc0_6218,
        ];
        assert_eq!(m.map(f64::to_bits), expected, "{m:?}");
    }

    #[test]
    fn inverse_undoes_the_rotation() {
        let m = rotation_matrix((6.0, 4.0), 30.0, 1.0);
        let inv = invert_affine(m);
        let (x, y) = (2.5, -1.25);
        let (u, v) = (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]);
        let (bx, by) = (
            inv[0] * u + inv[1] * v + inv[2],
            inv[3] * u + inv[4] * v + inv[5],
        );
        assert!(
            (bx - x).abs() < 1e-12 && (by - y).abs() < 1e-12,
            "{bx} {by}"
        );
    }
}
