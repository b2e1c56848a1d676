//! Figures of a report, each written as PNG and SVG.

pub mod colormap;
pub mod figure;
pub mod hatch;
pub mod kshot;
pub mod methods;
pub mod overlay_inputs;
pub mod overlays;
pub mod per_class;
pub mod style;
pub mod text;
pub mod ticks;

pub use figure::{save_figure, Figure};
pub use kshot::KShotFigure;
pub use methods::MethodComparisonFigure;
pub use overlays::OverlayFigure;
pub use per_class::PerClassFigure;
