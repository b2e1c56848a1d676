//! A minimal pickle (protocol 2) writer for PyTorch's `torch.save` format: nested string-keyed
//! dicts of float32 tensors, each tensor a `torch._utils._rebuild_tensor_v2` call on a
//! persistent storage reference. Only globals that `torch.load(weights_only=True)` accepts
//! are emitted (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
//! `torch.FloatStorage`).

const PROTO: u8 = 0x80;
const EMPTY_DICT: u8 = b'}';
const EMPTY_TUPLE: u8 = b')';
const MARK: u8 = b'(';
const TUPLE: u8 = b't';
const GLOBAL: u8 = b'c';
const REDUCE: u8 = b'R';
const BINPERSID: u8 = b'Q';
const BININT: u8 = b'J';
const LONG1: u8 = 0x8a;
const NEWFALSE: u8 = 0x89;
const SETITEM: u8 = b's';
const SETITEMS: u8 = b'u';
const BINUNICODE: u8 = b'X';
const STOP: u8 = b'.';

/// A float32 tensor stored as `archive/data/<storage_key>`.
pub struct TensorEntry {
    pub name: String,
    pub storage_key: String,
    pub shape: Vec<i64>,
}

/// Builds the opcodes.
#[derive(Default)]
pub struct PickleWriter {
    out: Vec<u8>,
}

impl PickleWriter {
    fn op(&mut self, code: u8) {
        self.out.push(code);
    }

    fn string(&mut self, s: &str) {
        self.op(BINUNICODE);
        self.out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
    }

    fn global(&mut self, module: &str, name: &str) {
        self.op(GLOBAL);
        self.out.extend_from_slice(module.as_bytes());
        self.out.push(b'\n');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'\n');
    }

    fn int(&mut self, v: i64) {
        if let Ok(small) = i32::try_from(v) {
            self.op(BININT);
            self.out.extend_from_slice(&small.to_le_bytes());
        } else {
            // LONG1: little-endian two's complement, 8 bytes suffice.
            self.op(LONG1);
            self.out.push(8);
            self.out.extend_from_slice(&v.to_le_bytes());
        }
    }

    fn int_tuple(&mut self, values: &[i64]) {
        self.op(MARK);
        for &v in values {
            self.int(v);
        }
        self.op(TUPLE);
    }

    fn ordered_dict(&mut self) {
        self.global("collections", "OrderedDict");
        self.op(EMPTY_TUPLE);
        self.op(REDUCE);
    }

    /// `_rebuild_tensor_v2(storage, 0, shape, contiguous stride, False, OrderedDict())`.
    fn tensor(&mut self, t: &TensorEntry) {
        let numel: i64 = t.shape.iter().product();
        let mut stride = vec![1i64; t.shape.len()];
        for i in (0..t.shape.len().saturating_sub(1)).rev() {
            stride[i] = stride[i + 1] * t.shape[i + 1];
        }
        self.global("torch._utils", "_rebuild_tensor_v2");
        self.op(MARK);
        self.op(MARK);
        self.string("storage");
        self.global("torch", "FloatStorage");
        self.string(&t.storage_key);
        self.string("cpu");
        self.int(numel);
        self.op(TUPLE);
        self.op(BINPERSID);
        self.int(0);
        self.int_tuple(&t.shape);
        self.int_tuple(&stride);
        self.op(NEWFALSE);
        self.ordered_dict();
        self.op(TUPLE);
        self.op(REDUCE);
    }

    /// `{outer_key: OrderedDict(name -> tensor, ...)}`, the reference's checkpoint layout.
    pub fn state_dict_under(outer_key: &str, tensors: &[TensorEntry]) -> Vec<u8> {
        let mut w = PickleWriter::default();
        w.op(PROTO);
        w.out.push(2);
        w.op(EMPTY_DICT);
        w.string(outer_key);
        w.ordered_dict();
        if !tensors.is_empty() {
            w.op(MARK);
            for t in tensors {
                w.string(&t.name);
                w.tensor(t);
            }
            w.op(SETITEMS);
        }
        w.op(SETITEM);
        w.op(STOP);
        w.out
    }
}
