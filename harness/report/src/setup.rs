//! The axes that identify what a cell measured, and the groupings built from them.

use serde_json::Value;

/// Everything about a configuration except the dataset, the k-shot and the seed: one paper
/// table and one line family of the k-shot plots per setup.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MethodSetup {
    pub method: String,
    /// `method_settings` as compact JSON with sorted keys; empty when there are none, so two
    /// cells with the same settings written in a different key order still group together.
    pub method_settings: String,
    pub backbone: String,
    pub image_size: u32,
    pub support_mode: String,
}

/// A setup evaluated on one dataset with one k: the cells of a group differ only by seed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    pub setup: MethodSetup,
    pub dataset: String,
    pub k_shot: u32,
}

impl MethodSetup {
    /// Full description for table captions, e.g. `dictas — ViT-L-14-336, 336 px, published supports`.
    pub fn title(&self) -> String {
        let mut title = self.method.clone();
        if !self.method_settings.is_empty() {
            title.push_str(&format!(" ({})", self.settings_display()));
        }
        format!(
            "{title} — {}, {} px, {} supports",
            self.backbone, self.image_size, self.support_mode
        )
    }

    /// `key=value, ...` form of the settings (compact JSON for nested values).
    pub fn settings_display(&self) -> String {
        match serde_json::from_str::<Value>(&self.method_settings) {
            Ok(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}={s}"),
                    other => format!("{k}={other}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => self.method_settings.clone(),
        }
    }

    /// Short legend label naming only the axes in which `all` setups differ (the method is
    /// always named), so plots of a plain sweep stay uncluttered.
    pub fn label_among(&self, all: &[MethodSetup]) -> String {
        let differs = |f: fn(&MethodSetup) -> String| all.iter().any(|s| f(s) != f(self));
        let mut parts = Vec::new();
        if differs(|s| s.method_settings.clone()) && !self.method_settings.is_empty() {
            parts.push(self.settings_display());
        }
        if differs(|s| s.backbone.clone()) {
            parts.push(self.backbone.clone());
        }
        if differs(|s| s.image_size.to_string()) {
            parts.push(format!("{} px", self.image_size));
        }
        if differs(|s| s.support_mode.clone()) {
            parts.push(format!("{} supports", self.support_mode));
        }
        let method = crate::names::method_display(&self.method);
        if parts.is_empty() {
            method
        } else {
            format!("{method} ({})", parts.join(", "))
        }
    }

    /// File-name-safe identifier, unique per setup.
    pub fn slug(&self) -> String {
        let mut slug = format!(
            "{}_{}_{}_{}",
            self.method, self.backbone, self.image_size, self.support_mode
        );
        if !self.method_settings.is_empty() {
            slug.push('_');
            slug.push_str(&self.settings_display());
        }
        sanitize_file_stem(&slug)
    }
}

/// Compact JSON with object keys sorted at every level; `null` and `{}` become empty.
pub fn canonical_settings(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Object(map) if map.is_empty() => String::new(),
        other => sorted(other).to_string(),
    }
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Keeps ASCII letters, digits, `-` and `.`; everything else becomes `_`.
pub fn sanitize_file_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn setup(method: &str, settings: &str, backbone: &str) -> MethodSetup {
        MethodSetup {
            method: method.into(),
            method_settings: settings.into(),
            backbone: backbone.into(),
            image_size: 336,
            support_mode: "published".into(),
        }
    }

    #[test]
    fn settings_are_canonical_regardless_of_key_order() {
        let a = canonical_settings(&json!({"b": 1, "a": {"y": 2, "x": "s"}}));
        let b = canonical_settings(&json!({"a": {"x": "s", "y": 2}, "b": 1}));
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":{"x":"s","y":2},"b":1}"#);
        assert_eq!(canonical_settings(&Value::Null), "");
        assert_eq!(canonical_settings(&json!({})), "");
    }

    #[test]
    fn labels_name_only_differing_axes() {
        let a = setup("dictas", r#"{"lookup":"softmax"}"#, "ViT-L-14-336");
        let b = setup("dictas", r#"{"lookup":"max"}"#, "ViT-L-14-336");
        let all = [a.clone(), b.clone()];
        assert_eq!(a.label_among(&all), "DictAS (lookup=softmax)");
        assert_eq!(a.label_among(std::slice::from_ref(&a)), "DictAS");
        assert_eq!(
            a.title(),
            "dictas (lookup=softmax) — ViT-L-14-336, 336 px, published supports"
        );
        assert_eq!(a.slug(), "dictas_ViT-L-14-336_336_published_lookup_softmax");
    }
}
