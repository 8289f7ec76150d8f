"""The published figures, computed from the tables alone (validated answers, the definitions they were given to).

Above `definitions` and `models`; imports neither `checks` nor `answers`, which call it (`aggregates.refresh_year`
when a questionnaire is validated or a past campaign imported, `statistics` and `formatting` for the flags).
"""
