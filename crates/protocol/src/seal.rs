//! Signed batches (issue 16, docs/src/design/sync.md, seals). A device signs what it
//! pushes, once per batch: its changes are the leaves of a Merkle tree (RFC 6962's shape
//! and domain separation, SHA-256), and one Ed25519 signature covers the root, the
//! number of leaves and the origin device. A signature per change would cost 64 bytes
//! where a packed change costs about 20; one per batch costs 64 bytes per batch.
//!
//! A hub relays changes in batches of its own, and may hold only part of what a device
//! signed (some refused, some already sent). For each seal it keeps the tree's hashes it
//! has seen, so it can prove any part of it later: the part's leaves travel, and each
//! subtree with none of them travels as its hash. Altering a change alters its leaf and so
//! the root; relaying it under another device's name needs that device's key.

use std::collections::BTreeMap;
use std::ops::Range;

use pendamping_core::Change;
use pendamping_vault::{DeviceKey, PublicKey, Signature};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A node of a seal's tree.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);
pendamping_vault::fixed_bytes!(Digest, 32);

/// The most leaves a seal may claim (a hostile count is refused before any work).
pub const MAX_LEAVES: u32 = 1 << 24;

/// A signature over some changes of a batch: the next `count` of them, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Seal {
    pub count: u32,
    /// How many changes the origin signed together, when this batch carries only some of
    /// them (relayed by a hub); `None`: exactly these `count`.
    #[serde(default)]
    pub leaves: Option<u32>,
    /// Which of the `leaves` these are, each as the difference from the one before minus
    /// one (with `leaves` only).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
    pub at: Vec<u32>,
    /// The hash of each subtree with none of them, in walk order (left first).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub proof: Vec<Digest>,
    /// `None`: these changes come unsigned (their origin registered no key: enrolled by an
    /// older version), which the receiver takes only from such an origin.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub signature: Option<Signature>,
}

impl Seal {
    /// The next `count` changes, unsigned.
    pub fn unsigned(count: u32) -> Seal {
        Seal {
            count,
            leaves: None,
            at: Vec::new(),
            proof: Vec::new(),
            signature: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the seals do not cover the batch's changes exactly")]
    Coverage,
    #[error("a seal's leaves are inconsistent")]
    Shape,
    #[error("the signature does not match the changes: altered, or signed by another device")]
    Signature,
    #[error("the changes are not signed")]
    Unsigned,
}

fn sha(parts: &[&[u8]]) -> Digest {
    use sha2::Digest as _;
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    Digest(h.finalize().into())
}

/// A change's leaf: the hash of its JSON text as `serde_json` writes a `Change` (fields in
/// key order, numbers in their shortest exact form), the same bytes on every replica.
pub fn leaf(change: &Change) -> Digest {
    // Serialising plain data cannot fail.
    leaf_of_text(&serde_json::to_vec(change).unwrap_or_default())
}

/// A change's leaf from its text as `Change` writes it (what a log keeps): the same digest
/// as [`leaf`], without writing the change again.
pub fn leaf_of_text(text: &[u8]) -> Digest {
    sha(&[&[0], text])
}

fn node(l: &Digest, r: &Digest) -> Digest {
    sha(&[&[1], &l.0, &r.0])
}

/// Where a range of more than one leaf splits: the largest power of two below its size.
fn split(lo: u32, hi: u32) -> u32 {
    let n = hi - lo;
    lo + (n.next_power_of_two() >> 1)
}

/// What the origin signs: the root, the number of leaves and who it is.
fn message(origin: &str, leaves: u32, root: &Digest) -> Vec<u8> {
    let mut m = b"pendamping seal v1\0".to_vec();
    m.extend_from_slice(origin.as_bytes());
    m.push(0);
    m.extend_from_slice(&leaves.to_le_bytes());
    m.extend_from_slice(&root.0);
    m
}

fn root_of(leaves: &[Digest]) -> Digest {
    fn go(d: &[Digest], lo: u32, hi: u32) -> Digest {
        if hi - lo == 1 {
            return d[lo as usize];
        }
        let mid = split(lo, hi);
        node(&go(d, lo, mid), &go(d, mid, hi))
    }
    if leaves.is_empty() {
        return sha(&[]);
    }
    go(leaves, 0, leaves.len() as u32)
}

/// The origin's seal over all of `changes`.
pub fn sign(key: &DeviceKey, origin: &str, changes: &[Change]) -> Seal {
    let leaves: Vec<Digest> = changes.iter().map(leaf).collect();
    let n = leaves.len() as u32;
    Seal {
        count: n,
        leaves: None,
        at: Vec::new(),
        proof: Vec::new(),
        signature: Some(key.sign(&message(origin, n, &root_of(&leaves)))),
    }
}

/// What a relay keeps of a seal it checked: every hash of the tree it has seen, by the
/// leaves they stand for, so that it can prove any part of what it received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub leaves: u32,
    pub signature: Signature,
    pub nodes: BTreeMap<(u32, u32), Digest>,
}

impl Kept {
    /// The hash of leaves `lo..hi`, from what was kept.
    fn hash(&self, lo: u32, hi: u32) -> Option<Digest> {
        if let Some(d) = self.nodes.get(&(lo, hi)) {
            return Some(*d);
        }
        if hi - lo <= 1 {
            return None;
        }
        let mid = split(lo, hi);
        Some(node(&self.hash(lo, mid)?, &self.hash(mid, hi)?))
    }

    /// A seal for leaves `present` (ascending) of what was kept; `None` if one was never
    /// received here.
    pub fn prove(&self, present: &[u32]) -> Option<Seal> {
        fn go(k: &Kept, p: &[u32], lo: u32, hi: u32, out: &mut Vec<Digest>) -> Option<()> {
            let inside = &p[p.partition_point(|x| *x < lo)..p.partition_point(|x| *x < hi)];
            if inside.is_empty() {
                out.push(k.hash(lo, hi)?);
            } else if hi - lo > 1 {
                let mid = split(lo, hi);
                go(k, p, lo, mid, out)?;
                go(k, p, mid, hi, out)?;
            } else {
                k.nodes.get(&(lo, hi))?;
            }
            Some(())
        }
        if present.is_empty() || present.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        let mut proof = Vec::new();
        go(self, present, 0, self.leaves, &mut proof)?;
        let whole = present.len() as u32 == self.leaves;
        let mut prev = -1i64;
        Some(Seal {
            count: present.len() as u32,
            leaves: (!whole).then_some(self.leaves),
            at: if whole {
                Vec::new()
            } else {
                present
                    .iter()
                    .map(|p| {
                        let d = (*p as i64 - prev - 1) as u32;
                        prev = *p as i64;
                        d
                    })
                    .collect()
            },
            proof,
            signature: Some(self.signature),
        })
    }
}

/// The changes of a batch each seal covers, in order; an error unless they cover exactly
/// `n` changes.
pub fn spans(seals: &[Seal], n: usize) -> Result<Vec<Range<usize>>, SealError> {
    let mut at = 0usize;
    let mut out = Vec::with_capacity(seals.len());
    for s in seals {
        let end = at.checked_add(s.count as usize).filter(|e| *e <= n && s.count > 0);
        let end = end.ok_or(SealError::Coverage)?;
        out.push(at..end);
        at = end;
    }
    if at != n {
        return Err(SealError::Coverage);
    }
    Ok(out)
}

/// Each seal of a pushed batch of `n` changes with the changes it covers; no seals at all
/// (a version before signing) are one unsigned run over the batch. An error unless they
/// cover exactly the `n` changes.
pub fn runs(seals: Vec<Seal>, n: usize) -> Result<Vec<(Seal, Range<usize>)>, SealError> {
    let seals = if seals.is_empty() && n > 0 {
        vec![Seal::unsigned(n as u32)]
    } else {
        seals
    };
    let spans = spans(&seals, n)?;
    Ok(seals.into_iter().zip(spans).collect())
}

/// Checks `seal` over `changes` (the ones it covers) as signed by `origin` with `key`.
/// Returns what a relay keeps of it, and the leaf of each change.
pub fn open(seal: &Seal, origin: &str, key: &PublicKey, changes: &[Change]) -> Result<(Kept, Vec<u32>), SealError> {
    open_leaves(seal, origin, key, changes.iter().map(leaf).collect())
}

/// [`open`], given the changes' leaves (`leaf`, `leaf_of_text`).
pub fn open_leaves(
    seal: &Seal,
    origin: &str,
    key: &PublicKey,
    digests: Vec<Digest>,
) -> Result<(Kept, Vec<u32>), SealError> {
    let count = seal.count as usize;
    if digests.len() != count {
        return Err(SealError::Coverage);
    }
    let signature = seal.signature.ok_or(SealError::Unsigned)?;
    let (leaves, positions): (u32, Vec<u32>) = match seal.leaves {
        None => {
            if !seal.at.is_empty() {
                return Err(SealError::Shape);
            }
            (seal.count, (0..seal.count).collect())
        }
        Some(leaves) => {
            if seal.at.len() != count || leaves > MAX_LEAVES {
                return Err(SealError::Shape);
            }
            let mut p = -1i64;
            let positions = seal
                .at
                .iter()
                .map(|d| {
                    p += *d as i64 + 1;
                    p as u32
                })
                .collect();
            if p >= leaves as i64 {
                return Err(SealError::Shape);
            }
            (leaves, positions)
        }
    };
    let mut kept = Kept {
        leaves,
        signature,
        nodes: BTreeMap::new(),
    };
    struct Walk<'a> {
        positions: &'a [u32],
        digests: &'a [Digest],
        proof: std::slice::Iter<'a, Digest>,
    }
    fn go(w: &mut Walk, kept: &mut Kept, lo: u32, hi: u32) -> Option<Digest> {
        let (a, b) = (
            w.positions.partition_point(|x| *x < lo),
            w.positions.partition_point(|x| *x < hi),
        );
        let d = if a == b {
            *w.proof.next()?
        } else if hi - lo == 1 {
            w.digests[a]
        } else {
            let mid = split(lo, hi);
            let l = go(w, kept, lo, mid)?;
            let r = go(w, kept, mid, hi)?;
            return Some(node(&l, &r));
        };
        kept.nodes.insert((lo, hi), d);
        Some(d)
    }
    let mut walk = Walk {
        positions: &positions,
        digests: &digests,
        proof: seal.proof.iter(),
    };
    let root = go(&mut walk, &mut kept, 0, leaves).ok_or(SealError::Shape)?;
    if walk.proof.next().is_some() {
        return Err(SealError::Shape);
    }
    if !key.verifies(&message(origin, leaves, &root), &signature) {
        return Err(SealError::Signature);
    }
    Ok((kept, positions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_core::{Entity, Hlc};

    fn changes(n: usize) -> Vec<Change> {
        (0..n)
            .map(|i| Change {
                change_id: uuid::Uuid::now_v7(),
                entity: Entity::Visit,
                row_id: uuid::Uuid::now_v7(),
                area_code: "3602012002".into(),
                hlc: Hlc {
                    millis: 1_795_000_000_000 + i as u64,
                    counter: 0,
                    node: 7,
                },
                fields: [(
                    "data".to_string(),
                    serde_json::json!({"weight_kg": 8.5 + i as f64 / 10.0}),
                )]
                .into(),
            })
            .collect()
    }

    #[test]
    fn a_seal_opens_for_its_changes_and_origin_only() {
        let key = DeviceKey::generate().unwrap();
        let batch = changes(7);
        let seal = sign(&key, "dev-a", &batch);
        let (kept, at) = open(&seal, "dev-a", &key.public(), &batch).unwrap();
        assert_eq!(at, (0..7).collect::<Vec<_>>());
        assert_eq!(kept.leaves, 7);
        let other = DeviceKey::generate().unwrap();
        assert_eq!(open(&seal, "dev-a", &other.public(), &batch), Err(SealError::Signature));
        assert_eq!(open(&seal, "dev-b", &key.public(), &batch), Err(SealError::Signature));
        let mut altered = batch.clone();
        altered[3]
            .fields
            .insert("data".into(), serde_json::json!({"weight_kg": 18.5}));
        assert_eq!(open(&seal, "dev-a", &key.public(), &altered), Err(SealError::Signature));
        let mut swapped = batch.clone();
        swapped.swap(1, 2);
        assert_eq!(open(&seal, "dev-a", &key.public(), &swapped), Err(SealError::Signature));
        // A JSON round trip (a hub's store) keeps the leaves.
        let back: Vec<Change> = serde_json::from_str(&serde_json::to_string(&batch).unwrap()).unwrap();
        assert!(open(&seal, "dev-a", &key.public(), &back).is_ok());
    }

    #[test]
    fn a_relay_proves_any_part_of_what_it_received_and_nothing_else() {
        let key = DeviceKey::generate().unwrap();
        for n in [1usize, 2, 3, 5, 8, 13, 100] {
            let batch = changes(n);
            let (kept, _) = open(&sign(&key, "d", &batch), "d", &key.public(), &batch).unwrap();
            let parts: Vec<Vec<u32>> = vec![
                vec![0],
                vec![n as u32 - 1],
                (0..n as u32).step_by(3).collect(),
                (n as u32 / 2..n as u32).collect(),
            ];
            for part in parts {
                let seal = kept.prove(&part).unwrap();
                let sub: Vec<Change> = part.iter().map(|i| batch[*i as usize].clone()).collect();
                let (again, at) = open(&seal, "d", &key.public(), &sub).unwrap();
                assert_eq!(at, part, "n {n}");
                // What a second hub keeps proves a part of that part.
                if part.len() > 1 {
                    let first = vec![part[0]];
                    let s2 = again.prove(&first).unwrap();
                    assert!(open(&s2, "d", &key.public(), &sub[..1]).is_ok());
                    // Nothing it holds no hash for.
                    let empty = Kept {
                        nodes: BTreeMap::new(),
                        ..again.clone()
                    };
                    assert!(empty.prove(&first).is_none());
                }
                if sub.len() > 1 {
                    let mut wrong = sub.clone();
                    wrong.swap(0, 1);
                    assert!(open(&seal, "d", &key.public(), &wrong).is_err());
                }
            }
        }
    }

    #[test]
    fn hostile_shapes_are_errors() {
        let key = DeviceKey::generate().unwrap();
        let batch = changes(4);
        let good = sign(&key, "d", &batch);
        let shapes = [
            Seal {
                leaves: Some(u32::MAX),
                at: vec![0; 4],
                ..good.clone()
            },
            Seal {
                leaves: Some(4),
                at: vec![0, 0, 0, 1],
                ..good.clone()
            },
            Seal {
                at: vec![0],
                ..good.clone()
            },
            Seal {
                proof: vec![Digest([0; 32])],
                ..good.clone()
            },
            Seal {
                leaves: Some(8),
                at: vec![0; 4],
                ..good.clone()
            },
        ];
        for s in shapes {
            assert!(open(&s, "d", &key.public(), &batch).is_err(), "{s:?}");
        }
        assert_eq!(spans(std::slice::from_ref(&good), 4).unwrap(), vec![0..4]);
        assert!(spans(std::slice::from_ref(&good), 5).is_err());
        assert!(spans(&[good.clone(), good], 4).is_err());
        assert!(spans(&[], 1).is_err());
        assert_eq!(spans(&[], 0).unwrap(), Vec::<Range<usize>>::new());
    }
}
