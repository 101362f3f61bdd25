"""Review threads (comments with @mentions, resolve and reopen), sprint review
sign-off by liaisons, the in-app inbox and the email digest."""
