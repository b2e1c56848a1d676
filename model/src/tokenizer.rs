//! CLIP byte-pair tokenization, as the reference's `tokenize` (context 77, start 49406,
//! end 49407, zero padding, an error when a text does not fit).
//!
//! The BPE itself is `instant-clip-tokenizer`, which ships OpenAI's vocabulary and applies the
//! same lower-casing, word-splitting regex and merge order as CLIP's `simple_tokenizer`.
//! Whitespace clean-up is implied: the splitting regex never puts whitespace into a token.
//! Not reproduced: `ftfy.fix_text` and HTML entity decoding, which only change malformed
//! Unicode or text such as `&amp;`; prompts and class names are plain text.

use std::sync::OnceLock;

use anyhow::{ensure, Result};
use instant_clip_tokenizer::Tokenizer;
use tch::Tensor;

/// Context length of every OpenAI CLIP text encoder.
pub const CONTEXT_LENGTH: usize = 77;

fn shared() -> &'static Tokenizer {
    static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(Tokenizer::new)
}

/// BPE ids of `text` without the start/end tokens.
pub fn encode(text: &str) -> Vec<i64> {
    let mut tokens = Vec::new();
    shared().encode(text, &mut tokens);
    tokens.into_iter().map(|t| i64::from(t.to_u16())).collect()
}

/// Id of the start-of-text token (49406).
pub fn start_of_text() -> i64 {
    i64::from(shared().start_of_text().to_u16())
}

/// Id of the end-of-text token (49407).
pub fn end_of_text() -> i64 {
    i64::from(shared().end_of_text().to_u16())
}

/// Tokenizes `texts` into `[n, context_length]` int64 rows: start token, BPE ids, end token,
/// zeros. Like the reference (which does not truncate), a text that does not fit is an error.
pub fn tokenize<S: AsRef<str>>(texts: &[S], context_length: usize) -> Result<Tensor> {
    let mut rows = Vec::with_capacity(texts.len() * context_length);
    for text in texts {
        let text = text.as_ref();
        let mut row = vec![start_of_text()];
        row.extend(encode(text));
        row.push(end_of_text());
        ensure!(
            row.len() <= context_length,
            "text {text:?} needs {} tokens, more than the context length {context_length}",
            row.len()
        );
        row.resize(context_length, 0);
        rows.extend(row);
    }
    Ok(Tensor::from_slice(&rows).view([texts.len() as i64, context_length as i64]))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected ids from the reference's models/simple_tokenizer.py (SimpleTokenizer().encode).
    #[test]
    fn matches_clip_simple_tokenizer() {
        assert_eq!(encode(r"a jpeg \ photo of the metal_nut."), [320, 73, 11207, 315, 1125, 539, 518, 4044, 318, 6491, 269]);
        assert_eq!(encode("A  Photo of the   Cool\tpcb1 with Defect."), [320, 1125, 539, 518, 2077, 26235, 272, 593, 44013, 269]);
        assert_eq!(encode("this is one pipe_fryum in the scene."), [589, 533, 637, 10459, 318, 936, 7259, 530, 518, 3562, 269]);
        assert_eq!(encode("there's 3 broken macaroni2!"), [997, 568, 274, 5107, 41824, 273, 256]);
    }

    #[test]
    fn rows_are_framed_and_zero_padded() {
        let t = tokenize(&["a photo of the cool pcb1 with defect."], CONTEXT_LENGTH).unwrap();
        assert_eq!(t.size(), vec![1, 77]);
        let row = Vec::<i64>::try_from(t.get(0)).unwrap();
        assert_eq!(&row[..11], &[49406, 320, 1125, 539, 518, 2077, 26235, 272, 593, 44013, 269]);
        assert_eq!(row[11], 49407);
        assert!(row[12..].iter().all(|&x| x == 0));
    }

    #[test]
    fn too_long_text_is_an_error() {
        let long = "word ".repeat(80);
        let err = tokenize(&[long.as_str()], CONTEXT_LENGTH).unwrap_err().to_string();
        assert!(err.contains("context length 77"), "{err}");
    }
}
