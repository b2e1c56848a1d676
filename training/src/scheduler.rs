//! `torch.optim.lr_scheduler.ReduceLROnPlateau` in mode `min`, threshold mode `rel`,
//! cooldown 0, min_lr 0: after more than `patience` epochs without a relative improvement of
//! `threshold` over the best metric, the learning rate is multiplied by `factor`.

use serde::{Deserialize, Serialize};

/// Scheduler state; serializable so that `--resume` continues it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReduceLrOnPlateau {
    pub factor: f64,
    pub patience: u32,
    pub threshold: f64,
    /// Best metric so far (`None` before the first step; torch starts at +inf).
    pub best: Option<f64>,
    pub num_bad_epochs: u32,
}

/// PyTorch's `eps`: a reduction smaller than this is not applied.
const MIN_LR_CHANGE: f64 = 1e-8;

impl ReduceLrOnPlateau {
    pub fn new(factor: f64, patience: u32) -> Self {
        ReduceLrOnPlateau { factor, patience, threshold: 1e-4, best: None, num_bad_epochs: 0 }
    }

    /// Records the epoch's metric and returns the learning rate to use from now on.
    pub fn step(&mut self, metric: f64, lr: f64) -> f64 {
        let improved = match self.best {
            None => true,
            Some(best) => metric < best * (1.0 - self.threshold),
        };
        if improved {
            self.best = Some(metric);
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.num_bad_epochs > self.patience {
            self.num_bad_epochs = 0;
            let reduced = lr * self.factor;
            if lr - reduced > MIN_LR_CHANGE {
                return reduced;
            }
        }
        lr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_after_patience_is_exceeded() {
        // torch (factor 0.8, patience 2) on metrics 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5 gives the lrs
        // 1e-4 x 4 epochs, then 8e-5 after the 4th step (3 bad epochs), 8e-5 after the improvement,
        // and 6.4e-5 after the 8th step.
        let mut s = ReduceLrOnPlateau::new(0.8, 2);
        let mut lr = 1e-4;
        let mut lrs = Vec::new();
        for m in [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5] {
            lr = s.step(m, lr);
            lrs.push(lr);
        }
        let expected = [1e-4, 1e-4, 1e-4, 8e-5, 8e-5, 8e-5, 8e-5, 6.4e-5];
        for (got, want) in lrs.iter().zip(expected) {
            assert!((got - want).abs() < 1e-15, "{lrs:?}");
        }
    }

    #[test]
    fn tiny_relative_gains_do_not_count_as_improvement() {
        let mut s = ReduceLrOnPlateau::new(0.5, 0);
        let lr = s.step(1.0, 1.0);
        assert_eq!(lr, 1.0);
        // 1 - 0.99995 < 1e-4 relative: a bad epoch, patience 0 -> reduce.
        assert_eq!(s.step(0.99995, lr), 0.5);
    }
}
