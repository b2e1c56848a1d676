//! A minimal pickle reader for the `data.pkl` that `torch.save` writes.
//!
//! Why our own reader: `serde-pickle` refuses persistent ids (`BINPERSID`), which is how every
//! tensor storage is referenced, and `repugnant-pickle` (0.0.x) only understands flat dicts and
//! pulls in a second `zip` major version, while DictAS checkpoints are nested
//! (`{"Mymodel": state_dict}`). The subset of the pickle machine that `torch.save` uses is small:
//! containers, scalars, globals, `REDUCE`/`BUILD` and persistent ids. Callables are never run;
//! the few that matter (`OrderedDict`, `_rebuild_tensor_v2`, `_rebuild_parameter`) are
//! recognised by name, everything else becomes an opaque [`Value::Object`].
//!
//! Memo entries are snapshots (values are cloned on `BINGET`), not shared references; torch
//! state dicts only re-read immutable values (globals, storage ids) from the memo.

use std::collections::HashMap;

use anyhow::{bail, ensure, Context, Result};

/// A decoded pickle value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// Insertion-ordered entries (Python dicts keep insertion order).
    Dict(Vec<(Value, Value)>),
    Global { module: String, name: String },
    /// The argument of a `BINPERSID`: torch uses `('storage', StorageType, key, location, numel)`.
    PersistentId(Box<Value>),
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`.
    Tensor(TensorRef),
    /// Any other `callable(*args)` result, kept unevaluated.
    Object { callable: Box<Value>, args: Box<Value> },
}

/// Where a pickled tensor's data lives and how to view it.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorRef {
    /// Storage class name, e.g. `HalfStorage`.
    pub storage_type: String,
    /// Storage key: the file `data/<key>` inside the archive.
    pub storage_key: String,
    pub offset: i64,
    pub size: Vec<i64>,
    pub stride: Vec<i64>,
}

/// Decodes one pickle stream.
pub fn parse(data: &[u8]) -> Result<Value> {
    Machine { data, pos: 0, stack: Vec::new(), marks: Vec::new(), memo: HashMap::new() }.run()
}

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Value>,
    /// Stack heights at each `MARK`.
    marks: Vec<usize>,
    memo: HashMap<u32, Value>,
}

impl<'a> Machine<'a> {
    fn run(mut self) -> Result<Value> {
        loop {
            let at = self.pos;
            let op = self.take(1)?[0];
            self.step(op).with_context(|| format!("pickle opcode 0x{op:02x} at byte {at}"))?;
            if op == b'.' {
                return self.pop();
            }
        }
    }

    fn step(&mut self, op: u8) -> Result<()> {
        match op {
            0x80 => {
                self.take(1)?; // PROTO
            }
            0x95 => {
                self.take(8)?; // FRAME: framing is irrelevant when the whole stream is in memory
            }
            b'.' => {} // STOP, handled by the caller
            b'(' => self.marks.push(self.stack.len()),
            b'}' => self.stack.push(Value::Dict(Vec::new())),
            b']' => self.stack.push(Value::List(Vec::new())),
            b')' => self.stack.push(Value::Tuple(Vec::new())),
            b't' => {
                let items = self.pop_mark()?;
                self.stack.push(Value::Tuple(items));
            }
            b'l' => {
                let items = self.pop_mark()?;
                self.stack.push(Value::List(items));
            }
            b'd' => {
                let items = self.pop_mark()?;
                let dict = pairs(items)?;
                self.stack.push(Value::Dict(dict));
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                ensure!(self.stack.len() >= n, "stack underflow");
                let items = self.stack.split_off(self.stack.len() - n);
                self.stack.push(Value::Tuple(items));
            }
            b'a' => {
                let item = self.pop()?;
                self.extend_list(vec![item])?;
            }
            b'e' => {
                let items = self.pop_mark()?;
                self.extend_list(items)?;
            }
            b's' => {
                let value = self.pop()?;
                let key = self.pop()?;
                self.extend_dict(vec![(key, value)])?;
            }
            b'u' => {
                let items = self.pop_mark()?;
                let entries = pairs(items)?;
                self.extend_dict(entries)?;
            }
            b'q' => {
                let id = self.take(1)?[0] as u32;
                self.memoize(id)?;
            }
            b'r' => {
                let id = self.u32()?;
                self.memoize(id)?;
            }
            0x94 => {
                let id = self.memo.len() as u32; // MEMOIZE
                self.memoize(id)?;
            }
            b'h' => {
                let id = self.take(1)?[0] as u32;
                self.recall(id)?;
            }
            b'j' => {
                let id = self.u32()?;
                self.recall(id)?;
            }
            b'J' => {
                let v = i32::from_le_bytes(self.take(4)?.try_into()?);
                self.stack.push(Value::Int(v as i64));
            }
            b'K' => {
                let v = self.take(1)?[0];
                self.stack.push(Value::Int(v as i64));
            }
            b'M' => {
                let v = u16::from_le_bytes(self.take(2)?.try_into()?);
                self.stack.push(Value::Int(v as i64));
            }
            0x8a => {
                let n = self.take(1)?[0] as usize; // LONG1: little-endian two's complement
                let v = long_from_le(self.take(n)?)?;
                self.stack.push(Value::Int(v));
            }
            b'N' => self.stack.push(Value::None),
            0x88 => self.stack.push(Value::Bool(true)),
            0x89 => self.stack.push(Value::Bool(false)),
            b'G' => {
                let v = f64::from_be_bytes(self.take(8)?.try_into()?);
                self.stack.push(Value::Float(v));
            }
            b'X' => {
                let n = self.u32()? as usize;
                let s = self.utf8(n)?;
                self.stack.push(Value::Str(s));
            }
            0x8c => {
                let n = self.take(1)?[0] as usize;
                let s = self.utf8(n)?;
                self.stack.push(Value::Str(s));
            }
            0x8d => {
                let n = self.u64_len()?;
                let s = self.utf8(n)?;
                self.stack.push(Value::Str(s));
            }
            b'U' | b'C' => {
                let n = self.take(1)?[0] as usize;
                let b = self.take(n)?.to_vec();
                self.stack.push(bytes_or_str(op, b));
            }
            b'T' | b'B' => {
                let n = self.u32()? as usize;
                let b = self.take(n)?.to_vec();
                self.stack.push(bytes_or_str(op, b));
            }
            b'c' => {
                let module = self.line()?;
                let name = self.line()?;
                self.stack.push(Value::Global { module, name });
            }
            0x93 => {
                let name = self.pop()?;
                let module = self.pop()?;
                match (module, name) {
                    (Value::Str(module), Value::Str(name)) => {
                        self.stack.push(Value::Global { module, name })
                    }
                    other => bail!("STACK_GLOBAL expects two strings, got {other:?}"),
                }
            }
            b'R' | 0x81 => {
                let args = self.pop()?;
                let callable = self.pop()?;
                let value = reduce(callable, args)?;
                self.stack.push(value);
            }
            b'b' => {
                // BUILD sets an object's state; a state dict's `_metadata` attribute is the only
                // use in torch checkpoints and carries nothing we need.
                self.pop()?;
                ensure!(!self.stack.is_empty(), "BUILD without an object");
            }
            b'Q' => {
                let id = self.pop()?;
                self.stack.push(Value::PersistentId(Box::new(id)));
            }
            b'0' => {
                self.pop()?;
            }
            b'1' => {
                self.pop_mark()?;
            }
            b'2' => {
                let top = self.stack.last().context("DUP on an empty stack")?.clone();
                self.stack.push(top);
            }
            other => bail!("unsupported pickle opcode 0x{other:02x}"),
        }
        Ok(())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.context("pickle stream ends early")?;
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }

    fn u64_len(&mut self) -> Result<usize> {
        Ok(usize::try_from(u64::from_le_bytes(self.take(8)?.try_into()?))?)
    }

    fn utf8(&mut self, n: usize) -> Result<String> {
        String::from_utf8(self.take(n)?.to_vec()).context("string is not UTF-8")
    }

    fn line(&mut self) -> Result<String> {
        let rest = &self.data[self.pos..];
        let len = rest.iter().position(|&b| b == b'\n').context("unterminated GLOBAL name")?;
        let s = self.utf8(len)?;
        self.pos += 1;
        Ok(s)
    }

    fn pop(&mut self) -> Result<Value> {
        self.stack.pop().context("stack underflow")
    }

    fn pop_mark(&mut self) -> Result<Vec<Value>> {
        let height = self.marks.pop().context("no MARK on the stack")?;
        ensure!(height <= self.stack.len(), "MARK above the stack top");
        Ok(self.stack.split_off(height))
    }

    fn memoize(&mut self, id: u32) -> Result<()> {
        let top = self.stack.last().context("memoizing an empty stack")?.clone();
        self.memo.insert(id, top);
        Ok(())
    }

    fn recall(&mut self, id: u32) -> Result<()> {
        let value = self.memo.get(&id).with_context(|| format!("memo {id} was never stored"))?;
        self.stack.push(value.clone());
        Ok(())
    }

    fn extend_list(&mut self, items: Vec<Value>) -> Result<()> {
        match self.stack.last_mut() {
            Some(Value::List(list)) => {
                list.extend(items);
                Ok(())
            }
            other => bail!("APPEND onto a non-list: {other:?}"),
        }
    }

    fn extend_dict(&mut self, entries: Vec<(Value, Value)>) -> Result<()> {
        match self.stack.last_mut() {
            Some(Value::Dict(dict)) => {
                dict.extend(entries);
                Ok(())
            }
            other => bail!("SETITEM onto a non-dict: {other:?}"),
        }
    }
}

fn pairs(items: Vec<Value>) -> Result<Vec<(Value, Value)>> {
    ensure!(items.len() % 2 == 0, "odd number of items for a dict");
    let mut it = items.into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

fn bytes_or_str(op: u8, b: Vec<u8>) -> Value {
    match op {
        // SHORT_BINSTRING / BINSTRING are Python 2 `str`; decode when they are text.
        b'U' | b'T' => match String::from_utf8(b) {
            Ok(s) => Value::Str(s),
            Err(e) => Value::Bytes(e.into_bytes()),
        },
        _ => Value::Bytes(b),
    }
}

fn long_from_le(bytes: &[u8]) -> Result<i64> {
    ensure!(bytes.len() <= 8, "integer of {} bytes does not fit in 64 bits", bytes.len());
    if bytes.is_empty() {
        return Ok(0);
    }
    let negative = bytes[bytes.len() - 1] & 0x80 != 0;
    let mut buf = if negative { [0xffu8; 8] } else { [0u8; 8] };
    buf[..bytes.len()].copy_from_slice(bytes);
    Ok(i64::from_le_bytes(buf))
}

/// Evaluates the few callables torch checkpoints rely on; others stay opaque.
fn reduce(callable: Value, args: Value) -> Result<Value> {
    let Value::Global { module, name } = &callable else {
        return Ok(Value::Object { callable: Box::new(callable), args: Box::new(args) });
    };
    match (module.as_str(), name.as_str()) {
        ("collections", "OrderedDict") => Ok(Value::Dict(Vec::new())),
        ("torch._utils", "_rebuild_tensor_v2") => rebuild_tensor(args),
        // `nn.Parameter` wraps a tensor: (tensor, requires_grad, backward_hooks).
        ("torch._utils", "_rebuild_parameter") => match args {
            Value::Tuple(mut items) if !items.is_empty() => Ok(items.swap_remove(0)),
            other => bail!("_rebuild_parameter with unexpected arguments {other:?}"),
        },
        _ => Ok(Value::Object { callable: Box::new(callable), args: Box::new(args) }),
    }
}

fn rebuild_tensor(args: Value) -> Result<Value> {
    let Value::Tuple(items) = args else { bail!("_rebuild_tensor_v2 arguments are not a tuple") };
    ensure!(items.len() >= 4, "_rebuild_tensor_v2 needs at least 4 arguments, got {}", items.len());
    let (storage_type, storage_key) = storage_id(&items[0])?;
    Ok(Value::Tensor(TensorRef {
        storage_type,
        storage_key,
        offset: as_int(&items[1])?,
        size: int_tuple(&items[2])?,
        stride: int_tuple(&items[3])?,
    }))
}

/// Reads `('storage', torch.<Type>Storage, key, location, numel)`.
fn storage_id(value: &Value) -> Result<(String, String)> {
    let Value::PersistentId(id) = value else { bail!("tensor storage is not a persistent id") };
    let Value::Tuple(parts) = id.as_ref() else { bail!("persistent id is not a tuple: {id:?}") };
    match parts.as_slice() {
        [Value::Str(tag), Value::Global { name, .. }, key, ..] if tag == "storage" => {
            let key = match key {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                other => bail!("storage key {other:?} is neither a string nor an integer"),
            };
            Ok((name.clone(), key))
        }
        _ => bail!("unrecognised persistent id {parts:?}"),
    }
}

fn as_int(value: &Value) -> Result<i64> {
    match value {
        Value::Int(i) => Ok(*i),
        other => bail!("expected an integer, got {other:?}"),
    }
}

fn int_tuple(value: &Value) -> Result<Vec<i64>> {
    match value {
        Value::Tuple(items) | Value::List(items) => items.iter().map(as_int).collect(),
        other => bail!("expected a tuple of integers, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pickle.dumps({'a': (1, -2, 300), 'b': [True, None]}, protocol=2)` from CPython 3.11.
    const SMALL: &[u8] = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01J\xfe\xff\xff\xffM,\x01\x87q\x02X\x01\x00\x00\x00bq\x03]q\x04(\x88Neu.";

    #[test]
    fn decodes_containers_and_scalars() {
        let v = parse(SMALL).unwrap();
        let expected = Value::Dict(vec![
            (
                Value::Str("a".into()),
                Value::Tuple(vec![Value::Int(1), Value::Int(-2), Value::Int(300)]),
            ),
            (Value::Str("b".into()), Value::List(vec![Value::Bool(true), Value::None])),
        ]);
        assert_eq!(v, expected);
    }

    #[test]
    fn truncated_stream_is_an_error() {
        let err = parse(&SMALL[..SMALL.len() - 3]).unwrap_err();
        assert!(format!("{err:#}").contains("ends early"), "{err:#}");
    }

    #[test]
    fn long1_sign_extends() {
        assert_eq!(long_from_le(&[0xff]).unwrap(), -1);
        assert_eq!(long_from_le(&[0x00, 0x80]).unwrap(), -32768);
        assert_eq!(long_from_le(&[0x2c, 0x01]).unwrap(), 300);
    }
}
