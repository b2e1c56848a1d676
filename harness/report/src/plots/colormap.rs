//! The jet colour map (blue, cyan, yellow, red), as anomaly-map figures conventionally use.

/// Colour of `value` in [0, 1] (clamped): piecewise-linear channels, each a tent of height 1.5
/// clipped to [0, 1], centred at 3/4 (red), 1/2 (green) and 1/4 (blue).
pub fn jet(value: f32) -> [u8; 3] {
    let v = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let channel = |centre: f32| {
        ((1.5 - (4.0 * v - 4.0 * centre).abs()).clamp(0.0, 1.0) * 255.0).round() as u8
    };
    [channel(0.75), channel(0.5), channel(0.25)]
}

#[cfg(test)]
mod tests {
    use super::jet;

    #[test]
    fn jet_endpoints_and_middle() {
        // v = 0: blue = 1.5 - 1 = 0.5 -> 128; v = 1: red = 0.5 -> 128; v = 0.5: green = 1.5 -> 255,
        // red and blue = 1.5 - 1 = 0.5 -> 128.
        assert_eq!(jet(0.0), [0, 0, 128]);
        assert_eq!(jet(1.0), [128, 0, 0]);
        assert_eq!(jet(0.5), [128, 255, 128]);
        assert_eq!(jet(-3.0), jet(0.0));
        assert_eq!(jet(f32::NAN), jet(0.0));
    }
}
