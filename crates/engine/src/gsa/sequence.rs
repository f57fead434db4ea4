//! The Sobol' low-discrepancy sequence in up to 256 dimensions with Joe and Kuo's direction
//! numbers, in Gray-code order as `scipy.stats.qmc.Sobol` (which SALib 1.6 samples with) draws
//! it, unscrambled (bit-identical to SciPy's `scramble=False` points) or with a seeded random
//! linear matrix scramble and digital shift.
//!
//! Scrambling implemented: Matoušek's linear matrix scrambling (each dimension's direction
//! numbers multiplied over GF(2) by a random lower-triangular matrix with unit diagonal) followed
//! by a random digital shift, the "LMS+shift" that SciPy uses by default; the random bits come
//! from `rng_for(seed, dimension)` (ChaCha8), so they differ from SciPy's numpy bits. Owen's
//! nested uniform scrambling is not implemented.

use crate::gsa::directions::{DIMS, DIRECTIONS};
use crate::gsa::{GsaError, Matrix};
use rand::RngCore;

/// The largest number of dimensions available (enough for Saltelli designs of 128 parameters,
/// which use two dimensions per parameter).
pub const MAX_DIMS: usize = DIMS;

/// Bits of every coordinate: points are multiples of 2^-32 and at most 2^32 can be drawn.
const BITS: usize = 32;

/// How the sequence is randomised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scrambling {
    /// The plain sequence; its first point is the origin.
    None,
    /// Linear matrix scrambling and a digital shift, seeded.
    LinearMatrix {
        /// Seed of the scramble: dimension `d` uses `rng_for(seed, d)`.
        seed: u64,
    },
}

/// A Sobol' sequence generator.
#[derive(Clone, Debug)]
pub struct SobolSequence {
    dims: usize,
    /// Direction numbers, `BITS` per dimension, left-aligned in 32 bits.
    v: Vec<u32>,
    /// Digital shift of each dimension (zero when unscrambled).
    shift: Vec<u32>,
    /// The integer coordinates of the next point.
    quasi: Vec<u32>,
    /// Number of points drawn or skipped so far.
    index: u64,
}

/// The direction numbers `m_1..m_BITS` of dimension `d` (as SciPy's `_initialize_v`), not yet
/// left-aligned.
fn direction_integers(d: usize) -> [u64; BITS] {
    let mut m = [1u64; BITS];
    if d == 0 {
        return m;
    }
    let (poly, init) = DIRECTIONS[d];
    let s = (32 - poly.leading_zeros()) as usize - 1;
    for (k, &v) in init.iter().take(s).enumerate() {
        m[k] = u64::from(v);
    }
    for j in s..BITS {
        let mut newv = m[j - s];
        let mut pow2 = 1u64;
        for k in 0..s {
            pow2 <<= 1;
            if (poly >> (s - 1 - k)) & 1 == 1 {
                newv ^= pow2 * m[j - k - 1];
            }
        }
        m[j] = newv;
    }
    m
}

impl SobolSequence {
    /// The unscrambled sequence in `dims` dimensions (1..=[`MAX_DIMS`]).
    pub fn new(dims: usize) -> Result<SobolSequence, GsaError> {
        if dims == 0 || dims > MAX_DIMS {
            return Err(GsaError::Invalid {
                what: "Sobol' dimensions",
                expected: format!("1 to {MAX_DIMS} dimensions"),
                found: dims.to_string(),
            });
        }
        let mut v = Vec::with_capacity(dims * BITS);
        for d in 0..dims {
            let m = direction_integers(d);
            for (j, mj) in m.iter().enumerate() {
                // m_j < 2^(j+1), so shifting it left by BITS-1-j keeps it in 32 bits.
                v.push((mj << (BITS - 1 - j)) as u32);
            }
        }
        Ok(SobolSequence { dims, v, shift: vec![0; dims], quasi: vec![0; dims], index: 0 })
    }

    /// The sequence in `dims` dimensions with the given scrambling.
    pub fn with_scrambling(dims: usize, scrambling: Scrambling) -> Result<SobolSequence, GsaError> {
        let mut s = SobolSequence::new(dims)?;
        if let Scrambling::LinearMatrix { seed } = scrambling {
            for d in 0..dims {
                let mut rng = crate::rng_for(seed, d as u64);
                // Row r of the lower-triangular matrix (r = 0 is the most significant bit):
                // a one on the diagonal and random bits in the more significant columns.
                let rows: Vec<u32> = (0..BITS)
                    .map(|r| {
                        let above = if r == 0 { 0 } else { u32::MAX << (BITS - r) };
                        (rng.next_u32() & above) | (1u32 << (BITS - 1 - r))
                    })
                    .collect();
                for v in &mut s.v[d * BITS..(d + 1) * BITS] {
                    let mut out = 0u32;
                    for (r, row) in rows.iter().enumerate() {
                        out |= ((row & *v).count_ones() & 1) << (BITS - 1 - r);
                    }
                    *v = out;
                }
                s.shift[d] = rng.next_u32();
            }
            s.quasi.copy_from_slice(&s.shift);
        }
        Ok(s)
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of points drawn or skipped so far (the index of the next point).
    pub fn position(&self) -> u64 {
        self.index
    }

    /// Skips `n` points (SciPy's `fast_forward`): the next point is the one of index
    /// `position() + n`.
    pub fn skip(&mut self, n: u64) -> Result<(), GsaError> {
        let target = self.index.checked_add(n).filter(|&t| t <= 1u64 << BITS).ok_or_else(|| self.exhausted(n))?;
        // Point i is the shift xor the direction numbers of the bits of i's Gray code.
        let gray = target ^ (target >> 1);
        for d in 0..self.dims {
            let mut q = self.shift[d];
            for b in 0..BITS {
                if (gray >> b) & 1 == 1 {
                    q ^= self.v[d * BITS + b];
                }
            }
            self.quasi[d] = q;
        }
        self.index = target;
        Ok(())
    }

    fn exhausted(&self, n: u64) -> GsaError {
        GsaError::Invalid {
            what: "Sobol' points",
            expected: format!("at most 2^{BITS} points in all"),
            found: format!("{} drawn or skipped and {n} more asked for", self.index),
        }
    }

    /// Writes the next point into `out` (length `dims()`), coordinates in [0, 1).
    pub fn next_into(&mut self, out: &mut [f64]) -> Result<(), GsaError> {
        if out.len() != self.dims {
            return Err(GsaError::Shape {
                what: "Sobol' point buffer",
                expected: format!("{} values", self.dims),
                found: format!("{} values", out.len()),
            });
        }
        if self.index >= 1u64 << BITS {
            return Err(self.exhausted(1));
        }
        let scale = 1.0 / (1u64 << BITS) as f64;
        for (o, q) in out.iter_mut().zip(&self.quasi) {
            *o = f64::from(*q) * scale;
        }
        // Point i + 1 differs from point i by the direction number of i's lowest zero bit.
        let c = (!self.index).trailing_zeros() as usize;
        if c < BITS {
            for d in 0..self.dims {
                self.quasi[d] ^= self.v[d * BITS + c];
            }
        }
        self.index += 1;
        Ok(())
    }

    /// The next `n` points as an `n` × `dims()` matrix.
    pub fn take(&mut self, n: usize) -> Result<Matrix, GsaError> {
        if self.index.saturating_add(n as u64) > 1u64 << BITS {
            return Err(self.exhausted(n as u64));
        }
        let len = n.checked_mul(self.dims).ok_or_else(|| self.exhausted(n as u64))?;
        let mut data = vec![0.0; len];
        for row in data.chunks_exact_mut(self.dims) {
            self.next_into(row)?;
        }
        Matrix::new(n, self.dims, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_are_the_textbook_ones() {
        // The first points of the two-dimensional sequence in Gray-code order.
        let m = SobolSequence::new(2).unwrap().take(5).unwrap();
        let want = [[0.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75], [0.375, 0.375]];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(m.row(i), w);
        }
    }

    #[test]
    fn skipping_equals_drawing() {
        for scrambling in [Scrambling::None, Scrambling::LinearMatrix { seed: 3 }] {
            let all = SobolSequence::with_scrambling(7, scrambling).unwrap().take(300).unwrap();
            let mut s = SobolSequence::with_scrambling(7, scrambling).unwrap();
            s.skip(123).unwrap();
            let rest = s.take(177).unwrap();
            assert_eq!(&all.data()[123 * 7..], rest.data());
        }
    }

    /// Scrambling keeps the net property: each of the 2^k intervals of width 2^-k in every
    /// dimension holds exactly 2^(m-k) of the first 2^m points.
    #[test]
    fn scrambled_points_stay_balanced() {
        let pts = SobolSequence::with_scrambling(40, Scrambling::LinearMatrix { seed: 9 }).unwrap().take(256).unwrap();
        for d in 0..40 {
            let mut counts = [0u32; 16];
            for i in 0..256 {
                counts[(pts.get(i, d) * 16.0) as usize] += 1;
            }
            assert!(counts.iter().all(|&c| c == 16), "dimension {d}: {counts:?}");
        }
        let other = SobolSequence::with_scrambling(40, Scrambling::LinearMatrix { seed: 10 }).unwrap().take(256).unwrap();
        assert_ne!(pts, other);
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(SobolSequence::new(0).is_err());
        assert!(SobolSequence::new(MAX_DIMS + 1).is_err());
        let mut s = SobolSequence::new(2).unwrap();
        assert!(s.next_into(&mut [0.0; 3]).is_err());
        assert!(s.skip(u64::MAX).is_err());
    }
}
