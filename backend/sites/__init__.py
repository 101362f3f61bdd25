"""Sites: an agency's area offices and regions, with their rollout phase."""
