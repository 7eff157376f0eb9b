//! One module per kind of resource, each with the same shape: a spec (what the stack wants),
//! a state (what exists), `read`, a pure `diff`, `apply` (only the difference) and `destroy`.

pub(crate) mod bucket;
pub(crate) mod function;
pub mod objects;
pub mod role;
pub(crate) mod schedule;
pub mod state_machine;
