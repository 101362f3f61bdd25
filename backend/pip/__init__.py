"""An agency's Program Improvement Plan: goals, strategies, key activities, measurement plan."""
