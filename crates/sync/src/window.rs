//! How much one request carries. It grows after a success and halves after a cut, as
//! TCP's congestion window does, so a link that drops every connection after a few KB
//! still moves forward: a cut costs the bytes that were on the wire, and the next try is
//! small enough to get through. The size at the last cut is remembered; below it the
//! window doubles, past it it creeps up by an eighth, probing whether the link got better.

#[derive(Debug, Clone)]
pub struct Window {
    bytes: usize,
    min: usize,
    max: usize,
    /// The size that was cut last; `max` until a cut.
    ceiling: usize,
}

impl Window {
    pub fn new(start: usize, min: usize, max: usize) -> Window {
        let min = min.max(1);
        let max = max.max(min);
        Window {
            bytes: start.clamp(min, max),
            min,
            max,
            ceiling: max,
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// At its smallest: a cut now cannot be answered by sending less.
    pub fn at_min(&self) -> bool {
        self.bytes <= self.min
    }

    /// A request of `used` bytes went through.
    pub fn grow(&mut self, used: usize) {
        // A request far below the window (the last of the outbox) says nothing new.
        if used * 2 < self.bytes {
            return;
        }
        self.bytes = if self.bytes * 2 <= self.ceiling {
            self.bytes * 2
        } else {
            self.bytes + self.bytes.div_ceil(8)
        }
        .min(self.max);
    }

    /// A request of `used` bytes was cut.
    pub fn shrink(&mut self, used: usize) {
        self.ceiling = used.clamp(self.min, self.max);
        self.bytes = (used.min(self.bytes) / 2).max(self.min);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_a_cut_doubles_below_the_last_cut_and_creeps_past_it() {
        let mut w = Window::new(64 << 10, 1 << 10, 256 << 10);
        w.grow(64 << 10);
        assert_eq!(w.bytes(), 128 << 10);
        w.grow(1000);
        assert_eq!(w.bytes(), 128 << 10, "a small last batch does not grow the window");
        w.shrink(128 << 10);
        assert_eq!(w.bytes(), 64 << 10);
        w.shrink(64 << 10);
        w.shrink(32 << 10);
        assert_eq!(w.bytes(), 16 << 10);
        w.grow(16 << 10);
        assert_eq!(w.bytes(), 32 << 10, "doubles up to the last cut");
        w.grow(32 << 10);
        assert_eq!(w.bytes(), 36 << 10, "then an eighth at a time");
        for _ in 0..20 {
            w.shrink(w.bytes());
        }
        assert!(w.at_min());
        assert_eq!(w.bytes(), 1 << 10);
        for _ in 0..100 {
            w.grow(w.bytes());
        }
        assert_eq!(w.bytes(), 256 << 10, "never past the most");
    }
}
