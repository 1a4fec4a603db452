//! Reader for CTranslate2's `model.bin`: a flat list of named, typed tensors.
//!
//! Layout (little-endian): u32 format version, string spec name, u32 spec revision, u32 variable
//! count, then per variable: string name, u8 rank, u32 × rank dims, u8 dtype, u32 byte count, raw
//! data; then u32 alias count and (alias, target) string pairs. A string is a u16 length that
//! counts a trailing NUL, then the bytes.

use std::collections::BTreeMap;

use anyhow::{Context, bail, ensure};
use half::f16;

/// Element types CTranslate2 writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
}

impl DType {
    fn from_code(code: u8) -> anyhow::Result<Self> {
        Ok(match code {
            0 => DType::F32,
            1 => DType::I8,
            2 => DType::I16,
            3 => DType::I32,
            4 => DType::F16,
            other => bail!("unknown CTranslate2 dtype code {other}"),
        })
    }

    fn size(self) -> usize {
        match self {
            DType::I8 => 1,
            DType::I16 | DType::F16 => 2,
            DType::F32 | DType::I32 => 4,
        }
    }
}

/// One named variable.
#[derive(Debug, Clone)]
pub struct Variable {
    pub dims: Vec<usize>,
    pub dtype: DType,
    pub data: Vec<u8>,
}

impl Variable {
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as `f32`, whatever float type they are stored in.
    pub fn to_f32(&self) -> anyhow::Result<Vec<f32>> {
        Ok(match self.dtype {
            DType::F32 => self
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            DType::F16 => self
                .data
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => bail!(
                "expected a float tensor, found {other:?} (quantized CTranslate2 models are not supported)"
            ),
        })
    }

    /// The value of a scalar integer variable (such as `encoder/num_heads`).
    pub fn scalar_int(&self) -> anyhow::Result<i64> {
        ensure!(
            self.len() == 1,
            "expected a scalar, found dims {:?}",
            self.dims
        );
        Ok(match self.dtype {
            DType::I8 => i64::from(self.data[0] as i8),
            DType::I16 => i64::from(i16::from_le_bytes([self.data[0], self.data[1]])),
            DType::I32 => i64::from(i32::from_le_bytes(self.data[..4].try_into()?)),
            other => bail!("expected an integer scalar, found {other:?}"),
        })
    }
}

/// A whole CTranslate2 model: spec name and variables by name (aliases resolved).
#[derive(Debug, Clone)]
pub struct Ct2Model {
    pub spec: String,
    pub variables: BTreeMap<String, Variable>,
}

impl Ct2Model {
    pub fn get(&self, name: &str) -> anyhow::Result<&Variable> {
        self.variables
            .get(name)
            .with_context(|| format!("the CTranslate2 model has no variable `{name}`"))
    }

    /// Parse the bytes of a `model.bin`.
    pub fn parse(bytes: &[u8]) -> anyhow::Result<Self> {
        let mut r = Cursor { bytes, pos: 0 };
        let version = r.u32()?;
        ensure!(
            (5..=6).contains(&version),
            "unsupported CTranslate2 model format version {version} (expected 5 or 6)"
        );
        let spec = r.string()?;
        let _revision = r.u32()?;
        let count = r.u32()? as usize;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = r.string()?;
            let rank = usize::from(r.u8()?);
            let dims = (0..rank)
                .map(|_| r.u32().map(|d| d as usize))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let dtype = DType::from_code(r.u8()?)?;
            let nbytes = r.u32()? as usize;
            let elements: usize = dims.iter().product();
            ensure!(
                nbytes == elements * dtype.size(),
                "variable `{name}`: {nbytes} bytes do not fit dims {dims:?} of {dtype:?}"
            );
            let data = r
                .take(nbytes)
                .with_context(|| format!("variable `{name}`"))?
                .to_vec();
            variables.insert(name, Variable { dims, dtype, data });
        }
        if r.remaining() >= 4 {
            let aliases = r.u32()?;
            for _ in 0..aliases {
                let alias = r.string()?;
                let target = r.string()?;
                let var = variables
                    .get(&target)
                    .with_context(|| format!("alias `{alias}` points to missing `{target}`"))?
                    .clone();
                variables.insert(alias, var);
            }
        }
        Ok(Ct2Model { spec, variables })
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        ensure!(
            n <= self.remaining(),
            "the file ends early (needed {n} bytes at offset {}, {} left)",
            self.pos,
            self.remaining()
        );
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> anyhow::Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into()?))
    }

    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }

    fn string(&mut self) -> anyhow::Result<String> {
        let len = usize::from(self.u16()?);
        let raw = self.take(len)?;
        let text = raw.strip_suffix(&[0]).unwrap_or(raw);
        Ok(String::from_utf8(text.to_vec())?)
    }
}

/// Builds CTranslate2 `model.bin` bytes; used by tests to make small synthetic models.
#[cfg(test)]
pub mod writer {
    use super::DType;

    #[derive(Default)]
    pub struct Ct2Writer {
        vars: Vec<(String, Vec<usize>, DType, Vec<u8>)>,
        aliases: Vec<(String, String)>,
    }

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    impl Ct2Writer {
        pub fn new() -> Self {
            Self::default()
        }

        pub fn f16(
            &mut self,
            name: &str,
            dims: &[usize],
            values: impl Fn(usize) -> f32,
        ) -> &mut Self {
            let n: usize = dims.iter().product();
            let data = (0..n)
                .flat_map(|i| half::f16::from_f32(values(i)).to_le_bytes())
                .collect();
            self.vars
                .push((name.into(), dims.to_vec(), DType::F16, data));
            self
        }

        pub fn i16_scalar(&mut self, name: &str, v: i16) -> &mut Self {
            self.vars
                .push((name.into(), vec![], DType::I16, v.to_le_bytes().to_vec()));
            self
        }

        pub fn alias(&mut self, alias: &str, target: &str) -> &mut Self {
            self.aliases.push((alias.into(), target.into()));
            self
        }

        pub fn bytes(&self) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend_from_slice(&6u32.to_le_bytes());
            string(&mut out, "WhisperSpec");
            out.extend_from_slice(&3u32.to_le_bytes());
            out.extend_from_slice(&(self.vars.len() as u32).to_le_bytes());
            for (name, dims, dtype, data) in &self.vars {
                string(&mut out, name);
                out.push(dims.len() as u8);
                for d in dims {
                    out.extend_from_slice(&(*d as u32).to_le_bytes());
                }
                out.push(match dtype {
                    DType::F32 => 0,
                    DType::I8 => 1,
                    DType::I16 => 2,
                    DType::I32 => 3,
                    DType::F16 => 4,
                });
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
                out.extend_from_slice(data);
            }
            out.extend_from_slice(&(self.aliases.len() as u32).to_le_bytes());
            for (a, t) in &self.aliases {
                string(&mut out, a);
                string(&mut out, t);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::writer::Ct2Writer;
    use super::*;

    #[test]
    fn parses_variables_scalars_and_aliases() {
        let bytes = Ct2Writer::new()
            .f16("decoder/embeddings/weight", &[3, 2], |i| i as f32 * 0.5)
            .i16_scalar("encoder/num_heads", 6)
            .alias("decoder/projection/weight", "decoder/embeddings/weight")
            .bytes();
        let model = Ct2Model::parse(&bytes).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        let emb = model.get("decoder/embeddings/weight").unwrap();
        assert_eq!(emb.dims, vec![3, 2]);
        assert_eq!(emb.to_f32().unwrap(), vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5]);
        assert_eq!(
            model
                .get("encoder/num_heads")
                .unwrap()
                .scalar_int()
                .unwrap(),
            6
        );
        assert_eq!(
            model.get("decoder/projection/weight").unwrap().dims,
            vec![3, 2]
        );
    }

    #[test]
    fn truncated_file_is_an_error_not_a_panic() {
        let bytes = Ct2Writer::new().f16("w", &[4, 4], |_| 1.0).bytes();
        for cut in [0, 3, 10, bytes.len() - 5] {
            let err = Ct2Model::parse(&bytes[..cut]).unwrap_err();
            assert!(
                format!("{err:#}").contains("ends early"),
                "cut {cut}: {err:#}"
            );
        }
    }

    #[test]
    fn wrong_version_is_rejected() {
        let mut bytes = Ct2Writer::new().bytes();
        bytes[0] = 99;
        let err = Ct2Model::parse(&bytes).unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
    }

    #[test]
    fn missing_variable_is_named() {
        let model = Ct2Model::parse(&Ct2Writer::new().bytes()).unwrap();
        assert!(
            model
                .get("encoder/conv1/weight")
                .unwrap_err()
                .to_string()
                .contains("encoder/conv1/weight")
        );
    }
}
