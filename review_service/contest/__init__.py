"""The people's acts: accounts, permissions, rubric and scoring, assignments, flag reviews, what counts, results, exports."""
