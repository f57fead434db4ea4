//! Shards: `--shard i/N` runs exactly the `i`-th of `N` contiguous slices of a job range, so that
//! the shards' outputs concatenated in shard order equal the unsharded output.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Slice `index` (0-based) of `count` equal contiguous slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, `0..count`.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

/// The whole range.
impl Default for Shard {
    fn default() -> Shard {
        Shard::ALL
    }
}

impl Shard {
    /// The whole range as one shard.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The jobs of this shard out of `0..total`: slice sizes differ by at most one, the larger
    /// ones first.
    pub fn range(&self, total: u64) -> Range<u64> {
        let base = total / self.count;
        let extra = total % self.count;
        let start = self.index * base + self.index.min(extra);
        let len = base + u64::from(self.index < extra);
        start..start + len
    }
}

impl FromStr for Shard {
    type Err = String;
    /// Parses `i/N` with `0 <= i < N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected a shard as i/N with 0 <= i < N (e.g. 0/4), found {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().unwrap_err().contains("\"x\""));
    }

    proptest! {
        #[test]
        fn shards_tile_the_range(total in 0u64..10_000, count in 1u64..50) {
            let mut next = 0;
            for index in 0..count {
                let r = Shard { index, count }.range(total);
                prop_assert_eq!(r.start, next);
                next = r.end;
            }
            prop_assert_eq!(next, total);
        }
    }
}
