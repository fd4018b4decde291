//! How a sync reaches the store: for each step, briefly, and never across a network
//! wait, so the app can save a visit while a sync is on a slow line.

use std::sync::{Arc, Mutex};

use pendamping_store::Store;

pub trait Access: Send {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T;
}

/// A store the caller owns outright (the command line).
impl Access for &mut Store {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(self)
    }
}

/// A store shared with the app's screens.
pub type Shared = Arc<Mutex<Store>>;

impl Access for Shared {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }
}
