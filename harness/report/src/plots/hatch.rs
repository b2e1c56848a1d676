//! Diagonal hatching, used to mark published values in bar charts.

/// A line segment in backend pixels.
pub type Segment = ((i32, i32), (i32, i32));

/// Segments of lines rising to the right at 45° (`x + y = c` in pixel coordinates, y pointing
/// down), `spacing` pixels apart, clipped to the rectangle with corners (left, top) and
/// (right, bottom).
pub fn hatch_segments(left: i32, top: i32, right: i32, bottom: i32, spacing: i32) -> Vec<Segment> {
    let (left, right) = (left.min(right), left.max(right));
    let (top, bottom) = (top.min(bottom), top.max(bottom));
    let spacing = spacing.max(1);
    let mut segments = Vec::new();
    let mut c = left + top + spacing;
    while c < right + bottom {
        let x1 = left.max(c - bottom);
        let x2 = right.min(c - top);
        if x1 < x2 {
            segments.push(((x1, c - x1), (x2, c - x2)));
        }
        c += spacing;
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_stay_inside_and_rise_to_the_right() {
        let segments = hatch_segments(10, 20, 30, 100, 6);
        assert!(!segments.is_empty());
        for &((x1, y1), (x2, y2)) in &segments {
            for (x, y) in [(x1, y1), (x2, y2)] {
                assert!(
                    (10..=30).contains(&x) && (20..=100).contains(&y),
                    "({x},{y}) outside"
                );
            }
            assert!(x2 > x1 && y2 < y1, "a segment must rise to the right");
            assert_eq!(x1 + y1, x2 + y2, "a segment must be at 45 degrees");
        }
        // Lines x + y = c for c = 36, 42, ..., 126 (below right + bottom = 130): 16 lines.
        assert_eq!(segments.len(), 16);
    }

    #[test]
    fn degenerate_rectangle_has_no_segments() {
        assert!(hatch_segments(5, 5, 5, 50, 4).is_empty());
    }
}
