//! Text for bitmap plots, laid out with the embedded font.
//!
//! plotters' own ab_glyph text path drops each glyph's side bearing, so letters are unevenly
//! spaced and small glyphs such as `.` and `_` land off the baseline. [`CrispText`] wraps a
//! bitmap backend, passes every shape through unchanged and draws text itself: glyphs are
//! placed on a common baseline at their true positions (advance, kerning and bearing).

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::figure::FONT_BYTES;

fn embedded_font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// A glyph's coverage, in pixels relative to the top-left corner of the text box.
struct Coverage {
    x: i32,
    y: i32,
    alpha: f32,
}

/// Width and height of `text` at `size` pixels, and its pixels (top-left of the box at 0, 0).
fn layout(font: &FontRef<'static>, text: &str, size: f32) -> ((i32, i32), Vec<Coverage>) {
    let scaled = font.as_scaled(PxScale::from(size));
    let ascent = scaled.ascent();
    let height = (scaled.ascent() - scaled.descent()).ceil() as i32;
    let mut caret = 0.0f32;
    let mut previous = None;
    let mut pixels = Vec::new();
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, ascent));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|x, y, alpha| {
                pixels.push(Coverage {
                    x: bounds.min.x as i32 + x as i32,
                    y: bounds.min.y as i32 + y as i32,
                    alpha,
                });
            });
        }
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    ((caret.ceil() as i32, height), pixels)
}

/// Width in pixels of `text` at `size` pixels (0 if the embedded font cannot be parsed).
pub fn text_width(text: &str, size: f32) -> u32 {
    embedded_font().map_or(0, |font| layout(font, text, size).0 .0.max(0) as u32)
}

/// A backend whose text is rendered by [`layout`]; everything else goes to `inner`.
pub struct CrispText<B: DrawingBackend> {
    inner: B,
}

impl<B: DrawingBackend> CrispText<B> {
    pub fn new(inner: B) -> Self {
        CrispText { inner }
    }
}

impl<B: DrawingBackend> DrawingBackend for CrispText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vertices, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        match embedded_font() {
            Some(font) => {
                let ((width, height), _) = layout(font, text, style.size() as f32);
                Ok((width.max(0) as u32, height.max(0) as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = embedded_font() else {
            return self.inner.draw_text(text, style, pos);
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((width, height), pixels) = layout(font, text, style.size() as f32);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Center => -width / 2,
            HPos::Right => -width,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        for pixel in pixels {
            let (x, y) = transform.transform(pixel.x + dx, pixel.y + dy);
            let alpha = color.alpha * f64::from(pixel.alpha.clamp(0.0, 1.0));
            self.inner.draw_pixel(
                (pos.0 + x, pos.1 + y),
                BackendColor {
                    alpha,
                    rgb: color.rgb,
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_share_a_baseline() {
        let font = embedded_font().expect("embedded font parses");
        // At 40 px the bottom of `.` and of `x` both sit on the baseline, while `_` hangs below.
        let bottom = |text: &str| {
            layout(font, text, 40.0)
                .1
                .iter()
                .filter(|p| p.alpha > 0.5)
                .map(|p| p.y)
                .max()
                .unwrap()
        };
        assert!(
            (bottom(".") - bottom("x")).abs() <= 1,
            ". {} vs x {}",
            bottom("."),
            bottom("x")
        );
        assert!(bottom("_") > bottom("x"));
        let ((width_one, _), _) = layout(font, "m", 40.0);
        let ((width_two, height), _) = layout(font, "mm", 40.0);
        assert!((width_two - 2 * width_one).abs() <= 1);
        assert!((38..=42).contains(&height), "line height {height}");
    }
}
