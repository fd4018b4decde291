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

#[cfg(test)]
mod tests {
    use super::*;

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
