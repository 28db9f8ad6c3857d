"""What several test modules share, kept apart so that no test module imports another."""
