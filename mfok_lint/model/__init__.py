"""Per-file models the rules reason about (commands, classes, package layout)."""
