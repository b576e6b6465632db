//! Frame-slot helpers of the driven builtins' step functions (see
//! `abi::driven`): state slots relative to the builtin's frame, and the call
//! request a step returns.

use crate::abi::driven;
use crate::abi::value as v;
use crate::mem::{rd64, wr64};

/// The address of frame slot `k`.
pub fn slot(frame: u32, k: u32) -> u32 {
    frame + 8 * k
}

/// Frame slot `k` as a number, `None` while it is still nil.
pub fn num_slot(frame: u32, k: u32) -> Option<f64> {
    let x = rd64(slot(frame, k));
    v::is_number(x).then(|| f64::from_bits(x))
}

/// Stores number `x` in frame slot `k`.
pub fn set_num(frame: u32, k: u32, x: f64) {
    wr64(slot(frame, k), x.to_bits());
}

/// Writes the call `f(args…)` at `SCRATCH` and returns the status that
/// asks the driver to make it.
pub fn request(frame: u32, f: u64, args: &[u64]) -> i32 {
    let s = slot(frame, driven::SCRATCH);
    wr64(s, f);
    for (i, &a) in args.iter().enumerate() {
        wr64(s + 8 + 8 * i as u32, a);
    }
    driven::REQUEST + args.len() as i32
}
