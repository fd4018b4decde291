//! Body compression (Content-Encoding / Accept-Encoding): zstd, gzip or none. Decoding
//! is bounded, so a small compressed body cannot expand into a memory bomb.

use std::io::{Read, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Zstd,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("unsupported content encoding {0:?}")]
    Unsupported(String),
    #[error("body is larger than {0} bytes once decompressed")]
    TooLarge(usize),
    #[error("body is not valid {0} data: {1}")]
    Corrupt(&'static str, String),
}

impl Encoding {
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Zstd => "zstd",
        }
    }

    /// From a Content-Encoding header (absent means identity).
    pub fn from_header(value: Option<&str>) -> Result<Encoding, CodecError> {
        match value.map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(Encoding::Identity),
            Some(v) if v.is_empty() || v == "identity" => Ok(Encoding::Identity),
            Some(v) if v == "gzip" || v == "x-gzip" => Ok(Encoding::Gzip),
            Some(v) if v == "zstd" => Ok(Encoding::Zstd),
            Some(v) => Err(CodecError::Unsupported(v)),
        }
    }

    /// The best encoding an Accept-Encoding header allows: zstd, then gzip.
    pub fn negotiate(accept: Option<&str>) -> Encoding {
        let offered: Vec<String> = accept
            .unwrap_or("")
            .split(',')
            .filter(|part| !part.contains("q=0") || part.contains("q=0."))
            .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .collect();
        if offered.iter().any(|e| e == "zstd") {
            Encoding::Zstd
        } else if offered.iter().any(|e| e == "gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

/// How many times its size a compressed body may grow when decoded, and the size it may
/// always reach: an honest batch grows 3 to 15 times, a bomb a thousand.
pub const MAX_EXPANSION: usize = 32;
pub const EXPANSION_FLOOR: usize = 64 << 10;

/// The most a body of `wire` bytes may decode to, within `max`.
pub fn expansion_bound(wire: usize, max: usize) -> usize {
    max.min(wire.saturating_mul(MAX_EXPANSION).saturating_add(EXPANSION_FLOOR))
}

/// Level 3 for zstd and 6 for gzip: most of the gain for little CPU on a cheap tablet.
pub fn encode(enc: Encoding, data: &[u8]) -> Vec<u8> {
    match enc {
        Encoding::Identity => data.to_vec(),
        Encoding::Gzip => {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            // Writing to a Vec cannot fail.
            let _ = w.write_all(data);
            w.finish().unwrap_or_default()
        }
        Encoding::Zstd => zstd::bulk::compress(data, 3).unwrap_or_default(),
    }
}

/// Decodes at most `max` bytes; more is `TooLarge`, a broken or truncated body `Corrupt`.
pub fn decode(enc: Encoding, data: &[u8], max: usize) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let limit = max as u64 + 1;
    let read = match enc {
        Encoding::Identity => {
            if data.len() > max {
                return Err(CodecError::TooLarge(max));
            }
            return Ok(data.to_vec());
        }
        Encoding::Gzip => flate2::read::GzDecoder::new(data).take(limit).read_to_end(&mut out),
        Encoding::Zstd => match zstd::stream::read::Decoder::new(data) {
            Ok(d) => d.take(limit).read_to_end(&mut out),
            Err(e) => Err(e),
        },
    };
    match read {
        Ok(_) if out.len() > max => Err(CodecError::TooLarge(max)),
        Ok(_) => Ok(out),
        Err(e) => Err(CodecError::Corrupt(enc.token(), e.to_string())),
    }
}

/// A body compressed as it is made, flushed at every `push` so the reader can take each
/// part as soon as it arrives (a pull that streams its pages), with one compression
/// context for the whole body: later pages compress against earlier ones.
pub struct StreamEncoder {
    zstd: Option<zstd::stream::write::Encoder<'static, Vec<u8>>>,
}

impl StreamEncoder {
    /// zstd, or identity for a reader that takes no zstd.
    pub fn new(enc: Encoding) -> StreamEncoder {
        StreamEncoder {
            zstd: (enc == Encoding::Zstd)
                .then(|| zstd::stream::write::Encoder::new(Vec::new(), 3).ok())
                .flatten(),
        }
    }

    pub fn encoding(&self) -> Encoding {
        if self.zstd.is_some() {
            Encoding::Zstd
        } else {
            Encoding::Identity
        }
    }

    /// The bytes that carry `data`, ready to send now.
    pub fn push(&mut self, data: &[u8]) -> Vec<u8> {
        match &mut self.zstd {
            None => data.to_vec(),
            Some(z) => {
                // Writing to and flushing into a Vec cannot fail.
                let _ = z.write_all(data);
                let _ = z.flush();
                std::mem::take(z.get_mut())
            }
        }
    }

    /// The last bytes of the body.
    pub fn finish(&mut self) -> Vec<u8> {
        self.zstd.take().and_then(|z| z.finish().ok()).unwrap_or_default()
    }
}

/// Decompresses a streamed body as its bytes arrive, at most `max` bytes held at once.
pub struct StreamDecoder {
    zstd: Option<zstd::stream::raw::Decoder<'static>>,
    max: usize,
}

impl StreamDecoder {
    pub fn new(enc: Encoding, max: usize) -> Result<StreamDecoder, CodecError> {
        let zstd = match enc {
            Encoding::Identity => None,
            Encoding::Zstd => {
                Some(zstd::stream::raw::Decoder::new().map_err(|e| CodecError::Corrupt("zstd", e.to_string()))?)
            }
            Encoding::Gzip => return Err(CodecError::Unsupported("gzip (streamed)".into())),
        };
        Ok(StreamDecoder { zstd, max })
    }

    /// Appends what `chunk` decodes to onto `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
        use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
        let max = self.max;
        let bounded = |out: &[u8]| {
            if out.len() > max {
                return Err(CodecError::TooLarge(max));
            }
            Ok(())
        };
        let Some(z) = &mut self.zstd else {
            out.extend_from_slice(chunk);
            return bounded(out);
        };
        if chunk.is_empty() {
            return Ok(());
        }
        let mut input = InBuffer::around(chunk);
        let mut scratch = vec![0u8; 64 << 10];
        loop {
            let mut output = OutBuffer::around(&mut scratch[..]);
            z.run(&mut input, &mut output)
                .map_err(|e| CodecError::Corrupt("zstd", e.to_string()))?;
            let n = output.pos();
            out.extend_from_slice(&scratch[..n]);
            bounded(out)?;
            if input.pos() == chunk.len() && n < scratch.len() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_body_decodes_part_by_part_as_its_bytes_arrive() {
        for enc in [Encoding::Zstd, Encoding::Identity] {
            let mut w = StreamEncoder::new(enc);
            let parts: Vec<Vec<u8>> = (0..5).map(|i| format!("page {i} ").repeat(300).into_bytes()).collect();
            let sent: Vec<Vec<u8>> = parts.iter().map(|p| w.push(p)).collect();
            let last = w.finish();
            let mut r = StreamDecoder::new(enc, 1 << 20).unwrap();
            let mut got = Vec::new();
            let mut expected = Vec::new();
            for (part, bytes) in parts.iter().zip(&sent) {
                // Byte by byte: a slow link hands over whatever it has.
                for b in bytes.chunks(7) {
                    r.feed(b, &mut got).unwrap();
                }
                expected.extend_from_slice(part);
                assert_eq!(got, expected, "each part readable once its bytes are in ({enc:?})");
            }
            r.feed(&last, &mut got).unwrap();
            assert_eq!(got, expected);
            if enc == Encoding::Zstd {
                assert!(
                    sent.iter().skip(1).all(|s| s.len() < 100),
                    "later parts compress against earlier"
                );
                let mut small = StreamDecoder::new(enc, 100).unwrap();
                assert!(matches!(
                    small.feed(&sent[0], &mut Vec::new()),
                    Err(CodecError::TooLarge(100))
                ));
                let mut junk = StreamDecoder::new(enc, 1 << 20).unwrap();
                assert!(junk.feed(b"not zstd at all", &mut Vec::new()).is_err());
            }
        }
    }

    #[test]
    fn round_trips_and_refuses_truncated_bombs_and_unknown_encodings() {
        let body = br#"{"changes":[]}"#.repeat(200);
        for enc in [Encoding::Identity, Encoding::Gzip, Encoding::Zstd] {
            let packed = encode(enc, &body);
            assert_eq!(decode(enc, &packed, body.len()).unwrap(), body);
            assert_eq!(
                decode(enc, &packed, body.len() - 1),
                Err(CodecError::TooLarge(body.len() - 1))
            );
            if enc != Encoding::Identity {
                assert!(packed.len() < body.len() / 10);
                let cut = &packed[..packed.len() / 2];
                assert!(
                    matches!(decode(enc, cut, body.len()), Err(CodecError::Corrupt(..))),
                    "{enc:?}"
                );
            }
        }
        assert!(matches!(
            Encoding::from_header(Some("br")),
            Err(CodecError::Unsupported(_))
        ));
        assert_eq!(Encoding::from_header(Some("GZIP")), Ok(Encoding::Gzip));
        assert_eq!(Encoding::negotiate(Some("gzip, zstd;q=0.5")), Encoding::Zstd);
        assert_eq!(Encoding::negotiate(Some("gzip, zstd;q=0")), Encoding::Gzip);
        assert_eq!(Encoding::negotiate(None), Encoding::Identity);
    }
}
