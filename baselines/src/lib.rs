//! Training-free baselines.
