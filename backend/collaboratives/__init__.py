"""Breakthrough Series Collaboratives: many agencies' teams on one topic, with faculty,
learning sessions and action periods, a change package, and cross-team learning."""
