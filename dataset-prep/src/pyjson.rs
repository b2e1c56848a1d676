//! JSON text as Python's `json.dumps(value, indent=4)` writes it: 4-space indentation,
//! `", "`-free separators (`,` at line ends, `": "` after keys), and every character
//! outside printable ASCII escaped as `\uXXXX` (UTF-16, lowercase hex).

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

struct PythonFormatter<'a> {
    pretty: PrettyFormatter<'a>,
}

impl Formatter for PythonFormatter<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }

    // serde_json already escapes '"', '\\' and control characters like Python does; the
    // rest of a string arrives here and only needs Python's `ensure_ascii` treatment.
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// Serializes `value` (which must serialize infallibly, like the meta types).
pub fn to_vec_indented<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = PythonFormatter {
        pretty: PrettyFormatter::with_indent(b"    "),
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("serializing plain data into memory cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected text produced by Python 3: json.dumps({"a": ["é😀\x7f\n"], "b": [], "c": {}}, indent=4)
    #[test]
    fn matches_python_json_dumps() {
        let value = serde_json::json!({"a": ["é😀\u{7f}\n"], "b": [], "c": {}});
        let text = String::from_utf8(to_vec_indented(&value)).unwrap();
        assert_eq!(
            text,
            "{\n    \"a\": [\n        \"\\u00e9\\ud83d\\ude00\\u007f\\n\"\n    ],\n    \"b\": [],\n    \"c\": {}\n}"
        );
    }
}
