"""What is done with stored answers: states, flags, corrections, the correspondents' list, export and reminders.

Above `figures` (a validation refreshes the year's aggregates); below `answers`, whose ways in hand their answers
over to the check (`checking.raise_flags`, `corrections.replay_cleaning_rules`).
"""
